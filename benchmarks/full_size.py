"""Full-size benchmark: train an MLP on all of Fashion-MNIST with scribble.

Runs ``python -m scribble train --dataset fashion-mnist`` (plain mini-batch SGD,
the CLI's defaults unless options are passed through) in a child process and
prints the command, the test accuracy, the wall and CPU time, the child's peak
resident memory, and the machine. Run from the repository root:

    .venv/bin/python benchmarks/full_size.py
    .venv/bin/python benchmarks/full_size.py --epochs 1   # memory only, quicker

Options after the script's name go to ``scribble train`` unchanged.
"""

import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# One float32 copy of the training part: 54,000 images of 784 pixels, 4 bytes each.
TRAINING_COPY_MB = 54_000 * 784 * 4 / 2**20


def _cpu_model():
    try:
        output = subprocess.run(
            ["lscpu"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    match = re.search(r"^Model name:\s*(.+)$", output, re.MULTILINE)
    return match.group(1).strip() if match else "unknown"


def _baseline_rss_mb():
    """Peak RSS of a child that only imports what ``scribble train`` imports."""
    code = (
        "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot, tqdm, "
        "scribble.cli, scribble.network, scribble.plots; import resource; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return int(output) / 1024  # Linux reports KiB


def main(extra_args):
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            sys.executable,
            "-m",
            "scribble",
            "train",
            "--dataset",
            "fashion-mnist",
            "--output-dir",
            str(Path(scratch) / "run"),
            *extra_args,
        ]
        shown = "python -m scribble train --dataset fashion-mnist " + " ".join(
            extra_args
        )
        print(f"$ {shown.strip()}", flush=True)
        load_before = os.getloadavg()
        start = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        wall = time.perf_counter() - start
        load_after = os.getloadavg()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(result.stdout, end="")
    if result.returncode != 0:
        return result.returncode
    accuracy = re.search(r"Test accuracy: ([0-9.]+)", result.stdout).group(1)
    peak_mb = usage.ru_maxrss / 1024
    baseline_mb = _baseline_rss_mb()
    print()
    print(f"command        {shown.strip()}")
    print(f"test accuracy  {accuracy}")
    print(f"wall time      {wall:.0f} s (whole command: loading, training, saving)")
    print(f"CPU time       {usage.ru_utime + usage.ru_stime:.0f} s (user + system)")
    print(
        f"peak RSS       {peak_mb:.0f} MiB; imports alone {baseline_mb:.0f} MiB; "
        f"one float32 copy of the training part is {TRAINING_COPY_MB:.0f} MiB, so "
        f"the data took {(peak_mb - baseline_mb) / TRAINING_COPY_MB:.1f} copies"
    )
    print(
        f"machine        {os.cpu_count()} cores, {_cpu_model()}, Python "
        f"{platform.python_version()}; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
