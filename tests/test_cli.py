"""The command line, run as a learner runs it."""

import json
import subprocess
import sys

import pytest


def _run(*args, cwd, timeout=300, **options):
    """Run ``python -m scribble ARGS``; options such as env go to subprocess.run."""
    return subprocess.run(
        [sys.executable, "-m", "scribble", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        **options,
    )


@pytest.mark.slow
def test_train_then_evaluate(tmp_path):
    result = _run(
        "train", "--epochs", "3", "--output-dir", str(tmp_path / "run"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Epoch 3/3, Loss:" in result.stdout
    assert "Val accuracy" in result.stdout
    for name in ("model.npz", "loss.png", "history.json"):
        assert (tmp_path / "run" / name).stat().st_size > 0
    line = [
        text for text in result.stdout.splitlines() if text.startswith("Test accuracy")
    ][0]
    accuracy = float(line.split()[2])
    assert accuracy > 0.85

    evaluated = _run("evaluate", str(tmp_path / "run" / "model.npz"), cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert f"Test accuracy: {accuracy:.4f}" in evaluated.stdout


def test_help_names_units_and_defaults(tmp_path):
    result = _run("train", "--help", cwd=tmp_path)
    assert result.returncode == 0
    for text in (
        "--epochs",
        "passes over the training set",
        "default: 10",
        "--learning-rate",
        "--batch-size",
        "--hidden",
        "--seed",
        "--output-dir",
    ):
        assert text in result.stdout


def test_bad_option_rejected(tmp_path):
    result = _run("train", "--learning-rate", "-1", cwd=tmp_path)
    assert result.returncode == 2
    assert "must be a number > 0, got -1" in result.stderr


def test_evaluate_not_a_model(tmp_path):
    (tmp_path / "junk.npz").write_text("junk")
    result = _run("evaluate", str(tmp_path / "junk.npz"), cwd=tmp_path)
    assert result.returncode == 1
    assert "not a readable scribble model" in result.stderr


def _env(**extra):
    import os

    return {**os.environ, **extra}


def _run_env(*args, cwd, env):
    return _run(*args, cwd=cwd, env=env, timeout=600)


def test_full_mnist_missing_says_how_to_get_it(tmp_path):
    result = _run_env(
        "train",
        "--dataset",
        "mnist",
        cwd=tmp_path,
        env=_env(SCRIBBLE_DATA_DIR=str(tmp_path / "data")),
    )
    assert result.returncode == 1
    assert "Full MNIST is not on this machine" in result.stderr
    assert "python -m scribble download mnist" in result.stderr
    assert str(tmp_path / "data" / "cache" / "mnist") in result.stderr
    assert "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609" in (
        result.stderr
    )


def test_download_without_network_names_files_and_folder(tmp_path):
    import socket

    with socket.socket() as probe:  # a port on 127.0.0.1 where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dest = tmp_path / "mnist"
    result = _run(
        "download",
        "mnist",
        "--dest",
        str(dest),
        "--mirror",
        f"http://127.0.0.1:{port}/a/",
        "--mirror",
        f"http://127.0.0.1:{port}/b/",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert f"http://127.0.0.1:{port}/a/train-images-idx3-ubyte.gz: could not" in (
        result.stderr
    )
    assert f"http://127.0.0.1:{port}/b/train-images-idx3-ubyte.gz: could not" in (
        result.stderr
    )
    assert str(dest.resolve()) in result.stderr
    for name, md5 in [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]:
        assert name in result.stderr and md5 in result.stderr
    assert not dest.exists()  # the command created it, so it removed it again


@pytest.mark.slow
def test_train_fashion_mnist_at_full_size(tmp_path, fashion_mnist_dir):
    run = tmp_path / "run"
    result = _run(
        "train",
        "--dataset",
        "fashion-mnist",
        "--epochs",
        "1",
        "--output-dir",
        str(run),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "on 54000 fashion-mnist images (float32" in result.stdout
    assert "validating on 6000, testing on 10000" in result.stdout
    assert "Epoch 1/1, Loss:" in result.stdout and "Val accuracy" in result.stdout
    assert "Epoch 1/1:" in result.stderr and "batch" in result.stderr  # the bar
    line = [t for t in result.stdout.splitlines() if t.startswith("Test accuracy")][0]
    accuracy = float(line.split()[2])
    assert accuracy > 0.8
    record = json.loads((run / "preprocessing.json").read_text())
    assert record["dataset"] == "fashion-mnist" and record["method"] == "standardize"
    assert 70 < record["mean"] < 75 and 85 < record["std"] < 95

    evaluated = _run("evaluate", str(run / "model.npz"), cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert f"Test accuracy: {accuracy:.4f}" in evaluated.stdout
    assert "on 10000 fashion-mnist images" in evaluated.stdout


@pytest.mark.slow
def test_train_with_momentum_and_cosine_decay(tmp_path):
    result = _run(
        "train", "--epochs", "2", "--optimizer", "momentum", "--learning-rate", "0.01",
        "--cosine-decay", "--output-dir", str(tmp_path / "run"), cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    line = [text for text in result.stdout.splitlines() if text.startswith("Test accuracy")][0]
    assert float(line.split()[2]) > 0.85


def test_unknown_optimizer_rejected(tmp_path):
    result = _run("train", "--optimizer", "rmsprop", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'rmsprop'" in result.stderr


# -- run folders: checked before training, written all at once

# A tiny network and one epoch: these tests are about the files, not the accuracy.
QUICK = ("--epochs", "1", "--hidden", "1", "--dtype", "float32", "--quiet")


def _run_limited(*args, cwd, max_file_bytes):
    """Run the CLI with no file allowed to grow past ``max_file_bytes``.

    Writes past the limit fail with EFBIG (File too large) instead of killing the
    process, because SIGXFSZ is ignored, and an ignored signal stays ignored
    across exec.
    """
    import resource
    import signal

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    return _run(*args, cwd=cwd, preexec_fn=limit)


def _snapshot(folder):
    return {path.name: path.read_bytes() for path in folder.iterdir()}


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="needs RLIMIT_FSIZE and SIGXFSZ"
)
def test_failed_save_keeps_older_run(tmp_path):
    run = tmp_path / "run"
    older = _run(
        "train", *QUICK, "--preprocess", "standardize", "--output-dir", str(run),
        cwd=tmp_path,
    )
    assert older.returncode == 0, older.stderr
    before = _snapshot(run)
    assert sorted(before) == [
        "history.json", "loss.png", "model.npz", "preprocessing.json"
    ]
    # model.npz of this network takes about 5 kB and loss.png about 20 kB, so
    # the model is written and the plot fails.
    assert len(before["model.npz"]) < 10_000 < len(before["loss.png"])

    failed = _run_limited(
        "train", *QUICK, "--seed", "1", "--output-dir", str(run),
        cwd=tmp_path, max_file_bytes=10_000,
    )
    assert _snapshot(run) == before  # no new file, no staging folder left
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert "could not write the run's files" in failed.stderr
    assert "File too large" in failed.stderr
    assert f"nothing was saved to {run}" in failed.stderr

    evaluated = _run("evaluate", str(run / "model.npz"), cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    older_line = [t for t in older.stdout.splitlines() if t.startswith("Test")][0]
    assert older_line.split(" after ")[0] in evaluated.stdout

    fresh = tmp_path / "fresh" / "run"
    failed = _run_limited(
        "train", *QUICK, "--output-dir", str(fresh),
        cwd=tmp_path, max_file_bytes=10_000,
    )
    assert failed.returncode == 1
    assert not (tmp_path / "fresh").exists()  # created by the run, so removed


def test_output_dir_problems_reported_before_loading(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "old-run" / "history.json").mkdir(parents=True)
    cases = [
        ("a-file", "a-file is a file, not a folder", "pass the path of a folder"),
        (
            "a-file/run",
            "a-file/run cannot be created because a-file is a file",
            "choose a path outside it",
        ),
        (
            "old-run",
            "old-run: old-run/history.json is a folder",
            "remove that folder or choose another --output-dir",
        ),
    ]
    # Full MNIST is missing from this data folder, so a check that ran after
    # loading the data would report that instead.
    env = _env(SCRIBBLE_DATA_DIR=str(tmp_path / "no-data"))
    for output_dir, problem, advice in cases:
        result = _run_env(
            "train", "--dataset", "mnist", "--output-dir", output_dir,
            cwd=tmp_path, env=env,
        )
        assert result.returncode == 2, (output_dir, result.stderr)
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"error: --output-dir {problem}")
        assert advice in lines[0]
    assert (tmp_path / "a-file").read_text() == "not a folder"
    assert [p.name for p in (tmp_path / "old-run").iterdir()] == ["history.json"]
    assert list((tmp_path / "old-run" / "history.json").iterdir()) == []


def test_default_run_folder_never_reused(tmp_path):
    from datetime import datetime, timedelta

    # Stand-ins for runs started in each of the next 60 seconds, so this run's
    # timestamp names one of them however long Python takes to start.
    now = datetime.now()
    existing_runs = []
    for offset in range(60):
        stamp = (now + timedelta(seconds=offset)).strftime("%Y%m%d-%H%M%S")
        folder = tmp_path / "runs" / f"sample-{stamp}"
        folder.mkdir(parents=True)
        (folder / "other-run.txt").write_text("another run's file")
        existing_runs.append(folder)

    result = _run("train", *QUICK, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    saved = result.stdout.splitlines()[-1].rsplit(" to ", 1)[1]
    folder = tmp_path / saved
    assert folder not in existing_runs
    assert folder.name.endswith("-2")
    assert folder.with_name(folder.name[: -len("-2")]) in existing_runs
    assert (folder / "model.npz").is_file()
    for other in existing_runs:
        assert [p.name for p in other.iterdir()] == ["other-run.txt"]


def test_run_files_share_umask_permissions(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scribble", "train", *QUICK, "--output-dir", "run"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        umask=0o027,
    )
    assert result.returncode == 0, result.stderr
    for name in ("model.npz", "loss.png", "history.json", "preprocessing.json"):
        mode = (tmp_path / "run" / name).stat().st_mode & 0o777
        assert mode == 0o640, f"{name}: {oct(mode)}"


# -- option values


def test_validation_fraction_leaving_a_side_empty(tmp_path):
    # The sample has 400 training images of each class: 0.001 holds out none,
    # 0.9999 holds out all of them.
    for value, sides in [
        ("0.001", "into 4000 for training and 0 for validation"),
        ("0.9999", "into 0 for training and 4000 for validation"),
    ]:
        result = _run("train", "--validation-fraction", value, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert f"error: --validation-fraction {value} splits the 4000 sample" in (
            result.stderr
        )
        assert sides in result.stderr
        assert "use a value from 0.0025 to 0.9975" in result.stderr
        assert result.stdout == ""
    assert not (tmp_path / "runs").exists()


def test_validation_fraction_range_ends_work(tmp_path):
    for value, validating in [("0.0025", "validating on 10,"), ("0.9975", "on 10 ")]:
        result = _run(
            "train", *QUICK[:-1], "--validation-fraction", value,
            "--output-dir", str(tmp_path / value), cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert validating in result.stdout.splitlines()[0]


def test_optimizer_default_learning_rates(tmp_path):
    help_text = _run("train", "--help", cwd=tmp_path).stdout
    assert "with momentum: 0.01; with adam: 0.001" in " ".join(help_text.split())
    for optimizer, rate in [("sgd", "0.1"), ("momentum", "0.01"), ("adam", "0.001")]:
        result = _run(
            "train", *QUICK[:-1], "--optimizer", optimizer,
            "--output-dir", str(tmp_path / optimizer), cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        start = result.stdout.splitlines()[0]
        assert f"optimizer {optimizer}, learning rate {rate}, batch size" in start
    explicit = _run(
        "train", *QUICK[:-1], "--optimizer", "adam", "--learning-rate", "0.02",
        "--output-dir", str(tmp_path / "given"), cwd=tmp_path,
    )
    assert "optimizer adam, learning rate 0.02," in explicit.stdout


def test_bad_values_name_option_and_rule(tmp_path):
    cases = [
        (["--batch-size", "abc"], "--batch-size: must be an integer >= 1, got 'abc'"),
        (["--epochs", "2.5"], "--epochs: must be an integer >= 1, got 2.5"),
        (["--hidden", "64", "x"], "--hidden: must be an integer >= 1, got 'x'"),
        (["--learning-rate", "abc"], "--learning-rate: must be a number > 0, got 'abc'"),
        (["--learning-rate", "inf"], "--learning-rate: must be a finite number > 0, got inf"),
        (["--learning-rate", "nan"], "--learning-rate: must be a finite number > 0, got nan"),
        (["--seed", "-1"], "--seed: must be an integer >= 0, got -1"),
        (["--seed", "x"], "--seed: must be an integer >= 0, got 'x'"),
        (
            ["--validation-fraction", "half"],
            "--validation-fraction: must be at least 0 and less than 1, got 'half'",
        ),
    ]
    for args, message in cases:
        result = _run("train", *args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "invalid" not in result.stderr  # argparse's "invalid _positive_int value"
        assert result.stdout == ""
    assert not (tmp_path / "runs").exists()


def test_help_states_seed_range(tmp_path):
    result = _run("train", "--help", cwd=tmp_path)
    assert "the shuffling, an integer >= 0" in " ".join(result.stdout.split())


def test_evaluate_folder_or_other_file(tmp_path):
    run = tmp_path / "runs" / "sample-1"
    trained = _run("train", *QUICK, "--output-dir", str(run), cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    (tmp_path / "notes.md").write_text("# not a model\n")
    cases = [
        (
            "runs",
            f"error: runs is a folder, not a model file; pass a model.npz inside it, "
            f"for example {run.relative_to(tmp_path) / 'model.npz'}",
        ),
        (
            "runs/sample-1",
            "error: runs/sample-1 is a folder, not a model file; pass the model.npz "
            "inside it: runs/sample-1/model.npz",
        ),
        (
            "notes.md",
            "error: notes.md is not a readable scribble model: it is not an .npz "
            "archive. Pass a model.npz written by `python -m scribble train`",
        ),
    ]
    for model, message in cases:
        result = _run("evaluate", model, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert message in result.stderr
        assert "not found" not in result.stderr
        assert "pickle" not in result.stderr


# -- download


def test_failed_download_mirrors_and_dest(tmp_path):
    import socket

    from scribble.datasets import MNIST_MIRRORS

    with socket.socket() as probe:  # a port on 127.0.0.1 where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mirror = f"http://127.0.0.1:{port}/own/"
    existing = tmp_path / "existing"
    existing.mkdir()
    for dest in (tmp_path / "new" / "mnist", existing):
        result = _run(
            "download", "mnist", "--dest", str(dest), "--mirror", mirror, cwd=tmp_path
        )
        assert result.returncode == 1
        published = result.stderr.split("They are published, for example, at:\n")[1]
        assert published.split() == list(MNIST_MIRRORS)
        assert mirror not in published
        assert f"{mirror}train-images-idx3-ubyte.gz: could not" in result.stderr
    assert not (tmp_path / "new").exists()  # created by the command: removed
    assert existing.is_dir()  # it existed before, so it is kept
    assert list(existing.iterdir()) == []
