"""Run every measurement and collect the figures that report.py turns into a table."""

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import threadpoolctl

import scribble
from scribble.datasets import load_idx_dataset

from . import measure

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "mnist-sample"
DTYPES = {"float32": np.float32, "float64": np.float64}


@dataclass
class Settings:
    """Sizes of one benchmark run; ``full()`` is make bench, ``smoke()`` the test."""

    data_dir: Path
    batch_sizes: tuple
    threads: tuple
    repeats: int
    # Batch 1 is timed on the first batch_one_samples training samples and the
    # per-neuron reference on the first reference_samples. Both are scaled up to a
    # full epoch.
    batch_one_samples: int
    reference_samples: int
    gemm_size: int
    accuracy_epochs: tuple
    accuracy_batch_size: int
    # The batch size whose float32 training is compared with the GEMM rate.
    peak_batch_size: int = 256
    # None trains on the whole training set.
    num_samples: int | None = None
    # Batches of 32 and more are timed on this prefix and scaled; None times full
    # epochs.
    epoch_samples: int | None = None

    @classmethod
    def full(cls, data_dir=FASHION_MNIST_DIR, repeats=5):
        return cls(
            data_dir=Path(data_dir),
            batch_sizes=(1, 32, 64, 256),
            threads=(1, 2),
            repeats=repeats,
            batch_one_samples=5_000,
            reference_samples=5_000,
            epoch_samples=None,
            gemm_size=2_000,
            accuracy_epochs=(1, 5),
            accuracy_batch_size=64,
        )

    @classmethod
    def smoke(cls, data_dir=SAMPLE_DIR):
        return cls(
            data_dir=Path(data_dir),
            batch_sizes=(1, 32),
            threads=(1,),
            repeats=1,
            batch_one_samples=40,
            reference_samples=8,
            gemm_size=64,
            accuracy_epochs=(1, 2),
            accuracy_batch_size=64,
            peak_batch_size=32,
            num_samples=256,
        )


def load_data(settings):
    """Training and test pixels in [0, 1] as float32 and float64, and labels."""
    (train_images, y), (test_images, y_test) = load_idx_dataset(settings.data_dir)
    if settings.num_samples is not None:
        train_images, y = (
            train_images[: settings.num_samples],
            y[: settings.num_samples],
        )
    X64 = scribble.normalize(train_images.reshape(len(train_images), -1))
    X_test64 = scribble.normalize(test_images.reshape(len(test_images), -1))
    return {
        "X": {np.float64: X64, np.float32: X64.astype(np.float32)},
        "X_test": {np.float64: X_test64, np.float32: X_test64.astype(np.float32)},
        "y": y,
        "y_test": y_test,
        "num_train": len(y),
        "nonzero_fraction": float(np.count_nonzero(train_images) / train_images.size),
    }


def machine_description():
    """CPU, memory, load and library versions, for the table's header."""
    cpu = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key in ("model name", "cpu family", "model", "cpu MHz", "vendor_id"):
                cpu.setdefault(key, value.strip())
            if key == "flags":
                flags = value.split()
                cpu.setdefault(
                    "vector flags",
                    " ".join(
                        f for f in ("avx", "avx2", "fma", "avx512f") if f in flags
                    ),
                )
    except OSError:
        pass
    memory_gib = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gib = round(pages / 2**30, 1)
    except (ValueError, OSError):
        pass
    blas = [
        {
            key: info.get(key)
            for key in ("internal_api", "version", "architecture", "filepath")
        }
        for info in threadpoolctl.threadpool_info()
        if info.get("user_api") == "blas"
    ]
    torch = measure.load_torch()
    torch_info = None
    if torch is not None:
        config = torch.__config__.show()
        torch_info = {
            "version": torch.__version__,
            "blas": "MKL"
            if "BLAS_INFO=mkl" in config
            else "see torch.__config__.show()",
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        }
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scribble": scribble.__version__,
        "blas": blas,
        "torch": torch_info,
        "environment": measure.thread_environment(),
    }


def peak_memory_mb(settings):
    """Peak RSS of a float32 training run (1 epoch, batch 64) in a fresh process."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.peak_memory",
        str(settings.data_dir),
        "1",
        "64",
        str(settings.num_samples or 0),
    ]
    root = Path(__file__).resolve().parent.parent
    output = subprocess.run(
        command, cwd=root, check=True, capture_output=True, text=True
    ).stdout
    return float(output.split()[-1])


def run(settings, progress=print):
    """Run every measurement; returns a JSON-ready dict of results."""
    torch = measure.load_torch()
    if torch is None:
        progress(measure.TORCH_INSTALL_HINT)
    started = time.time()
    results = {
        "machine": machine_description(),
        "load_average_start": os.getloadavg(),
        "settings": {
            key: (str(value) if isinstance(value, Path) else value)
            for key, value in settings.__dict__.items()
        },
        "torch_skipped": torch is None,
        "flops_per_sample": measure.flops_per_sample(),
    }
    data = load_data(settings)
    num_train = data["num_train"]
    results["num_train"] = num_train
    results["nonzero_fraction"] = data["nonzero_fraction"]

    progress("GEMM rate")
    results["gemm"] = [
        {
            "dtype": name,
            "threads": threads,
            "gflops": measure.gemm_rate(dtype, threads, settings.gemm_size, 3),
        }
        for name, dtype in DTYPES.items()
        for threads in settings.threads
    ]

    results["epochs"] = []
    for batch_size in settings.batch_sizes:
        if batch_size == 1:
            num_samples = settings.batch_one_samples
        else:
            num_samples = settings.epoch_samples or num_train
        num_samples = min(num_samples, num_train)
        scale = num_train / num_samples
        for name, dtype in DTYPES.items():
            for threads in settings.threads:
                progress(f"epoch: batch {batch_size}, {name}, {threads} thread(s)")
                pair = measure.epoch_pair(
                    data,
                    batch_size,
                    dtype,
                    threads,
                    settings.repeats,
                    torch,
                    num_samples,
                )
                row = {
                    "batch_size": batch_size,
                    "dtype": name,
                    "threads": threads,
                    "timed_samples": num_samples,
                    "scribble_seconds": pair["scribble"].median * scale,
                    "scribble_cpu_share": pair["scribble"].cpu_share,
                    "scribble_runs": pair["scribble"].wall,
                    "torch_seconds": None,
                    "ratio": None,
                }
                if pair["torch"] is not None:
                    row["torch_seconds"] = pair["torch"].median * scale
                    row["torch_cpu_share"] = pair["torch"].cpu_share
                    row["torch_runs"] = pair["torch"].wall
                    row["ratio"] = float(np.median(pair["ratios"]))
                results["epochs"].append(row)

    results["reference"] = []
    for threads in settings.threads:
        progress(f"reference: batch 1, float64, {threads} thread(s)")
        num_samples = min(settings.reference_samples, num_train)
        pair = measure.reference_pair(data, threads, settings.repeats, num_samples)
        scale = num_train / num_samples
        results["reference"].append(
            {
                "threads": threads,
                "timed_samples": num_samples,
                "reference_seconds": pair["reference"].median * scale,
                "scribble_seconds": pair["scribble"].median * scale,
                "speedup": float(np.median(pair["ratios"])),
                "max_difference": pair["max_difference"],
                "reference_cpu_share": pair["reference"].cpu_share,
            }
        )

    peak_batch = settings.peak_batch_size
    progress(f"share of the GEMM rate: batch {peak_batch}, float32, 1 thread")
    num_samples = min(settings.epoch_samples or num_train, num_train)
    pair = measure.peak_share_pair(
        data, peak_batch, 1, settings.repeats, num_samples, settings.gemm_size
    )
    results["peak_share"] = {
        "batch_size": peak_batch,
        "threads": 1,
        "timed_samples": num_samples,
        "share": float(np.median(pair["shares"])),
        "shares": pair["shares"],
        "scribble_gflops": measure.flops_per_sample()
        * num_samples
        / pair["scribble"].median
        / 1e9,
        "gemm_gflops": 2 * settings.gemm_size**3 / pair["gemm"].median / 1e9,
    }

    progress("accuracy")
    accuracy = measure.accuracy_after_epochs(
        data, settings.accuracy_epochs, settings.accuracy_batch_size, np.float32, torch
    )
    results["accuracy"] = {
        "batch_size": settings.accuracy_batch_size,
        "dtype": "float32",
        "scribble": accuracy["scribble"],
        "torch": accuracy["torch"],
    }

    progress("peak memory")
    results["peak_memory_mb"] = peak_memory_mb(settings)
    results["load_average_end"] = os.getloadavg()
    results["minutes"] = (time.time() - started) / 60
    return results


def write_text_atomically(path, text):
    """Write ``text`` to ``path`` through a temporary file, so no half file remains."""
    path = Path(path)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text)
    os.replace(temporary, path)


def save(results, path):
    write_text_atomically(path, json.dumps(results, indent=1, default=float) + "\n")
