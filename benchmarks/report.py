"""Turn the results of run.py into benchmarks/README.md.

A hand-written section between the lines FULL_SIZE_START and FULL_SIZE_END in the
existing README is copied into the new one unchanged.
"""

import re

FULL_SIZE_START = "<!-- full-size:start -->"
FULL_SIZE_END = "<!-- full-size:end -->"

GOAL_RATIO = 0.8
GOAL_PEAK_SHARE = 0.7
GOAL_SPEEDUP = 10
GOAL_TOLERANCE = 1e-12
GOAL_MEMORY_MB = 600

# Single-precision flops per cycle and core of CPUs this report can name, for the
# theoretical peak: (vendor, family, highest model) -> (name, flops per cycle).
# Zen and Zen+ split each 256-bit AVX2 FMA into two 128-bit halves on their two
# FMA pipes: 2 pipes x 4 float32 lanes x 2 flops = 16.
KNOWN_CORES = {("AuthenticAMD", 23, 0x2F): ("Zen or Zen+", 16)}


def preserved_section(old_text):
    """The full-size section of ``old_text``, markers included, or None."""
    if old_text is None:
        return None
    pattern = re.escape(FULL_SIZE_START) + r".*?" + re.escape(FULL_SIZE_END)
    match = re.search(pattern, old_text, flags=re.DOTALL)
    return match.group(0) if match else None


def _seconds(value):
    return "skipped" if value is None else f"{value:.3f}"


def _ratio(value):
    return "skipped" if value is None else f"{value:.2f}"


def _runs(count):
    return f"{count} run" if count == 1 else f"{count} runs"


def _met(condition):
    if condition is None:
        return "not established"
    return "met" if condition else "**not met**"


def theoretical_peak(machine):
    """(description, single-thread float32 GFLOP/s) when the CPU is known, else None."""
    cpu = machine["cpu"]
    try:
        vendor, family = cpu["vendor_id"], int(cpu["cpu family"])
        model, mhz = int(cpu["model"]), float(cpu["cpu MHz"])
    except (KeyError, ValueError):
        return None
    for (known_vendor, known_family, max_model), (name, flops) in KNOWN_CORES.items():
        if vendor == known_vendor and family == known_family and model <= max_model:
            return name, flops * mhz / 1000
    return None


def goals(results):
    """One row per goal: (goal, target, measured, status, what limits it)."""
    rows = []
    epochs = results["epochs"]

    # Goal 1: scribble at most 0.8x PyTorch's epoch, float32, batch >= 32.
    compared = [
        row
        for row in epochs
        if row["batch_size"] >= 32 and row["dtype"] == "float32" and row["ratio"]
    ]
    if compared:
        worst = max(compared, key=lambda row: row["ratio"])
        measured = ", ".join(
            f"b{row['batch_size']}/{row['threads']}t {row['ratio']:.2f}"
            for row in compared
        )
        met = all(row["ratio"] <= GOAL_RATIO for row in compared)
        limit = (
            ""
            if met
            else f"worst at batch {worst['batch_size']}, {worst['threads']} thread(s): "
            "both sides spend the epoch in the same two matrix products, so the margin "
            "comes only from per-batch overhead"
        )
    else:
        measured, met, limit = "PyTorch not installed", None, ""
    rows.append(
        (
            "1. epoch time vs PyTorch, float32, batch 32/64/256, 1 and 2 threads",
            f"<= {GOAL_RATIO}x",
            measured,
            _met(met),
            limit,
        )
    )

    # Goal 2: share of the single-thread float32 GEMM rate at batch 256, against
    # a GEMM timed beside each training run.
    paired = results.get("peak_share")
    if paired:
        share = paired["share"]
        training = f"{paired['scribble_gflops']:.1f} GFLOP/s training"
        theoretical = theoretical_peak(results["machine"])
        if theoretical:
            training += (
                f", which is {paired['scribble_gflops'] / theoretical[1]:.0%} of the "
                f"theoretical {theoretical[1]:.0f},"
            )
        measured = (
            f"{share:.0%}, the median of {len(paired['shares'])} paired shares "
            f"(median rates: {training} and {paired['gemm_gflops']:.1f} for the "
            "GEMM timed beside it)"
        )
        met = GOAL_PEAK_SHARE <= share <= 1
        if share > 1:
            met = None
            limit = (
                "invalid: above 100% means other processes held the core during "
                "the GEMM runs; compare with the theoretical peak"
            )
        elif not met:
            limit = (
                "the two large products run near the GEMM rate, but copying the "
                "shuffled rows, the activations, the loss, the update and the "
                "history add memory-bound passes that the count leaves out"
            )
        else:
            limit = ""
        if paired["batch_size"] != 256:
            measured += f" (batch {paired['batch_size']})"
    else:
        measured, met, limit = "batch 256 not run", None, ""
    rows.append(
        (
            "2. batch 256, 1 thread, float32: share of GEMM rate",
            f">= {GOAL_PEAK_SHARE:.0%}",
            measured,
            _met(met),
            limit,
        )
    )

    # Goal 3: per-sample SGD against the per-neuron reference.
    reference = next((r for r in results["reference"] if r["threads"] == 1), None)
    if reference:
        exact = reference["max_difference"] <= GOAL_TOLERANCE
        met = reference["speedup"] >= GOAL_SPEEDUP and exact
        measured = (
            f"{reference['speedup']:.1f}x, max weight difference "
            f"{reference['max_difference']:.1e}"
        )
        limit = (
            ""
            if met
            else "each sample still makes about 40 NumPy calls of a few microseconds "
            "each, and reads all 100,352 first-layer weights once"
        )
    else:
        measured, met, limit = "not run", None, ""
    rows.append(
        (
            "3. batch 1, float64, 1 thread: speedup over the reference, same results",
            f">= {GOAL_SPEEDUP}x, <= {GOAL_TOLERANCE:g}",
            measured,
            _met(met),
            limit,
        )
    )

    memory = results.get("peak_memory_mb")
    rows.append(
        (
            "4. peak RSS of a full-size float32 training run",
            f"< {GOAL_MEMORY_MB} MB",
            "not run" if memory is None else f"{memory:.0f} MB",
            _met(None if memory is None else memory < GOAL_MEMORY_MB),
            "",
        )
    )
    return rows


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def render(results, old_text=None):
    """Return the README text for ``results``, keeping the full-size section."""
    machine = results["machine"]
    cpu = machine["cpu"]
    settings = results["settings"]
    epoch_samples = settings.get("epoch_samples") or results["num_train"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m benchmarks`), which rewrites this file "
        "and `results.json` beside it; edit the generator in `benchmarks/report.py`, "
        "not this page. Only the section between the `full-size` markers is written "
        "by hand and kept as it is.",
        "",
        "The network is the course's 784-128-10 (ReLU, softmax, cross-entropy, He "
        "initialization, plain SGD), trained on "
        f"{results['num_train']:,} images from `{settings['data_dir']}` "
        f"({results['nonzero_fraction']:.0%} of the pixels are nonzero). "
        "PyTorch trains the same network from a copy of scribble's initial weights, "
        "with `CrossEntropyLoss` and `torch.optim.SGD`, batches indexed from a "
        "`randperm` (no DataLoader).",
        "",
        "How it is timed: one untimed warm-up run, then the median of "
        f"{_runs(settings['repeats'])}. Each comparison runs its two sides back to "
        "back and alternates which goes first; its ratio is the median of the per-pair "
        "ratios. Thread counts are set with threadpoolctl and `torch.set_num_threads`. "
        f"Batch 1 is timed on the first {settings['batch_one_samples']:,} samples, "
        f"the reference on the first {settings['reference_samples']:,} and larger "
        f"batches on the first {epoch_samples:,}, each scaled to a full epoch of "
        f"{results['num_train']:,}. Accuracy and peak memory use every sample. "
        "The CPU share is CPU seconds per wall second: below 1.0 on one "
        "thread, other processes held the core.",
        "",
        "## Machine",
        "",
    ]
    blas = "; ".join(
        f"{entry['internal_api']} {entry['version']}, kernel {entry['architecture']}"
        for entry in machine["blas"]
    )
    torch = machine["torch"]
    environment = ", ".join(
        f"{name}={value if value is not None else 'unset'}"
        for name, value in machine["environment"].items()
    )
    machine_rows = [
        (
            "CPU",
            f"{cpu.get('model name', '?')} (family {cpu.get('cpu family', '?')}, "
            f"model {cpu.get('model', '?')}), {cpu.get('cpu MHz', '?')} MHz, "
            f"{cpu.get('vector flags', '?')}",
        ),
        ("cores, memory", f"{machine['cores']}, {machine['memory_gib']} GiB"),
        (
            "load average at start / end",
            " / ".join(
                f"{results[key][0]:.1f}"
                for key in ("load_average_start", "load_average_end")
            ),
        ),
        ("OS", machine["platform"]),
        (
            "Python, NumPy, scribble",
            f"{machine['python']}, {machine['numpy']}, {machine['scribble']}",
        ),
        ("NumPy's BLAS", blas),
        (
            "PyTorch",
            "not installed"
            if torch is None
            else f"{torch['version']}, {torch['blas']}, "
            f"{torch['cpu_capability']} kernels",
        ),
        ("environment", environment),
        ("run time", f"{results['minutes']:.1f} minutes"),
    ]
    lines += [_table(("", ""), machine_rows), ""]

    lines += ["## Matrix multiply rate", ""]
    size = settings["gemm_size"]
    lines.append(
        f"NumPy `a @ b` on two {size} x {size} matrices, 2 n^3 flops, median of 3 "
        "after a warm-up. Goal 2 times the same product again, beside each "
        "training run, since the rate moves with the clock speed."
    )
    peak = theoretical_peak(machine)
    if peak:
        name, gflops = peak
        lines.append(
            f"This CPU is AMD {name}, whose theoretical 1-core float32 peak at "
            f"{cpu['cpu MHz']} MHz is {gflops:.0f} GFLOP/s (16 flops a cycle, "
            "because AVX2 runs as two 128-bit halves). Rates above that mean the core "
            "ran faster than this nominal clock."
        )
    lines += [
        "",
        _table(
            ("dtype", "threads", "GFLOP/s"),
            [
                (row["dtype"], row["threads"], f"{row['gflops']:.1f}")
                for row in results["gemm"]
            ],
        ),
        "",
    ]

    lines += ["## Seconds per epoch", ""]
    if results["torch_skipped"]:
        lines += [
            "PyTorch was not installed, so its columns say skipped: "
            '`pip install -e ".[bench]"` installs torch==2.13.0 (CPU).',
            "",
        ]
    epoch_rows = []
    for row in results["epochs"]:
        epoch_rows.append(
            (
                row["batch_size"],
                row["dtype"],
                row["threads"],
                _seconds(row["scribble_seconds"]),
                _seconds(row["torch_seconds"]),
                _ratio(row["ratio"]),
                f"{row['scribble_cpu_share']:.2f}",
                f"{row['torch_cpu_share']:.2f}" if row.get("torch_cpu_share") else "",
            )
        )
    lines += [
        _table(
            (
                "batch",
                "dtype",
                "threads",
                "scribble s",
                "PyTorch s",
                "scribble / PyTorch",
                "scribble CPU share",
                "PyTorch CPU share",
            ),
            epoch_rows,
        ),
        "",
        "Per-sample SGD (batch 1, float64, samples in order) against the per-neuron "
        "`scribble.reference`, both on the same samples from the same initial weights:",
        "",
        _table(
            (
                "threads",
                "reference s/epoch",
                "scribble s/epoch",
                "speedup",
                "max weight difference",
            ),
            [
                (
                    row["threads"],
                    f"{row['reference_seconds']:.1f}",
                    f"{row['scribble_seconds']:.1f}",
                    f"{row['speedup']:.1f}x",
                    f"{row['max_difference']:.1e}",
                )
                for row in results["reference"]
            ],
        ),
        "",
    ]

    accuracy = results["accuracy"]
    lines += [
        f"## Test accuracy, batch {accuracy['batch_size']}, {accuracy['dtype']}",
        "",
        "Learning rate 0.1, shuffled with seed 0; PyTorch sees other shuffles.",
        "",
    ]
    accuracy_rows = []
    for epochs, value in accuracy["scribble"].items():
        torch_value = (accuracy["torch"] or {}).get(epochs)
        accuracy_rows.append(
            (
                epochs,
                f"{value:.4f}",
                "skipped" if torch_value is None else f"{torch_value:.4f}",
            )
        )
    lines += [_table(("epochs", "scribble", "PyTorch"), accuracy_rows), ""]

    lines += [
        "## Peak memory",
        "",
        f"{results['peak_memory_mb']:.0f} MB (10^6 bytes) peak resident set size "
        "(VmHWM) for one float32 epoch of the 784-128-10 network at batch 64 over "
        f"all {results['num_train']:,} training images, in a fresh process, images "
        "loaded as uint8 and converted to float32 "
        "(`python -m benchmarks.peak_memory`).",
        "",
        "## Goals",
        "",
        "FLOPs are counted as 2 per multiply-add of the matrix products scribble "
        f"runs: {results['flops_per_sample']:,} per sample (forward and weight "
        "gradient of both layers, input gradient of the output layer; training skips "
        "the first layer's). Elementwise work is left out. Goal 2 times its own "
        "training runs, paired with GEMM runs, apart from the epoch table.",
        "",
        "How scribble gets there: for plain layers and plain SGD, `train` runs the "
        "loop in `scribble/_engine.py`. A mini-batch reuses arrays allocated once "
        "(`matmul` with `out=`) and gives the same bits as the layer methods. One "
        "sample at a time, the first layer's rank-one updates wait for 32 samples "
        "and are then applied by one matrix product, while each forward pass "
        "subtracts the pending updates' effect. A sample then reads the first "
        "layer's weights once, and they are written once every 32 samples.",
        "",
        _table(
            ("goal", "target", "measured", "status", "what limits it"), goals(results)
        ),
        "",
    ]
    float64_ratios = [
        row["ratio"]
        for row in results["epochs"]
        if row["batch_size"] >= 32 and row["dtype"] == "float64" and row["ratio"]
    ]
    if float64_ratios:
        lines += [
            "Goal 1 is checked in float32, the precision of its PyTorch reference "
            "times. In float64 scribble takes "
            f"{min(float64_ratios):.2f} to {max(float64_ratios):.2f} times PyTorch's "
            "epoch at batch 32 to 256. Both spend most of a float64 epoch in matrix "
            "products at half the float32 rate, so scribble's smaller per-batch "
            "overhead saves a smaller share of it.",
            "",
        ]

    section = preserved_section(old_text)
    if section:
        lines += [section, ""]
    return "\n".join(lines)
