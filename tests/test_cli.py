"""The command line, run as a learner runs it."""

import subprocess
import sys

import pytest


def _run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "scribble", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
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
