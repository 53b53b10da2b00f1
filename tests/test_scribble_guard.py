"""A learner's scribble.py that hides the package is caught with a rename hint."""

import json
import subprocess
import sys

import pytest

GUARD_THEN_IMPORT = "import scribble_guard; import scribble; print(scribble.__file__)"


def run_python(code, cwd):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_learner_file_is_named(tmp_path):
    (tmp_path / "scribble.py").write_text("def train():\n    pass\n")
    result = run_python(GUARD_THEN_IMPORT, tmp_path)
    assert result.returncode == 1
    assert "ShadowedPackageError" in result.stderr
    assert f"{tmp_path / 'scribble.py'} hides the scribble package" in result.stderr
    assert "Rename scribble.py" in result.stderr
    assert "my_scribble.py" in result.stderr
    assert "the course package is installed at" in result.stderr


def test_learner_folder_is_named(tmp_path):
    (tmp_path / "scribble").mkdir()
    (tmp_path / "scribble" / "__init__.py").write_text("")
    result = run_python(GUARD_THEN_IMPORT, tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'scribble'} hides the scribble package" in result.stderr


def test_silent_without_shadowing(tmp_path):
    (tmp_path / "my_scribble.py").write_text("")
    result = run_python(GUARD_THEN_IMPORT, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("scribble/__init__.py")


def test_shadowing_caught_in_a_kernel(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    (tmp_path / "scribble.py").write_text("")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import scribble_guard")]
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps(notebook))
    client = nbclient.NotebookClient(
        nbformat.read(path, as_version=4),
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
        allow_errors=True,
    )
    executed = client.execute()
    error = executed.cells[0].outputs[0]
    assert error["ename"] == "ShadowedPackageError"
    assert "Rename scribble.py" in error["evalue"]
