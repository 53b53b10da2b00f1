"""Checks on every committed notebook that nbval itself does not make.

nbval re-runs the notebooks and compares their outputs (``make test``). These tests
read the committed files and check what keeps that comparison honest: the saved
outputs come from one top-to-bottom run, contain no errors, warnings, machine paths
or widget state, and every cell excused from comparison gives the reason in a
comment.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

NBVAL_MARKERS = ("NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP", "NBVAL_RAISES_EXCEPTION")
NBVAL_TAGS = ("nbval-ignore-output", "nbval-skip", "nbval-raises-exception")
# Absolute paths and home folders that would tie an output to one machine or user.
MACHINE_PATH = re.compile(r"(/root\b|/home/|/tmp/|/work/|/Users/|[A-Za-z]:\\\\Users)")


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


@pytest.fixture(params=NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_notebooks_exist():
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"


def test_executed_top_to_bottom(notebook):
    counts = [cell.execution_count for cell in code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts are {counts}: run `make notebooks` to re-execute it"
    )


def test_first_cell_imports_the_guard(notebook):
    # scribble_guard names a learner's scribble.py that would hide the package.
    first_line = code_cells(notebook)[0].source.splitlines()[0]
    assert first_line.startswith("import scribble_guard"), (
        f"the first code cell starts with {first_line!r}: put `import "
        "scribble_guard` on its first line"
    )


def test_no_error_outputs(notebook):
    for number, cell in enumerate(code_cells(notebook), start=1):
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert not errors, f"code cell {number} has an error output: {errors[0]}"


def test_no_stderr_outputs(notebook):
    # A warning names the kernel's temporary file, which changes every run.
    for number, cell in enumerate(code_cells(notebook), start=1):
        stderr = [
            output.text
            for output in cell.outputs
            if output.output_type == "stream" and output.name == "stderr"
        ]
        assert not stderr, f"code cell {number} wrote to stderr: {stderr[0][:300]}"


def test_streams_coalesced(notebook):
    # The kernel splits a cell's stdout at varying points; `make notebooks` joins
    # the pieces so that re-executing leaves no diff.
    for number, cell in enumerate(code_cells(notebook), start=1):
        kinds = [
            output.get("name") if output.output_type == "stream" else None
            for output in cell.outputs
        ]
        for first, second in zip(kinds, kinds[1:]):
            assert first is None or first != second, (
                f"code cell {number} has consecutive {first} pieces: run "
                "`make notebooks`"
            )


def test_no_machine_paths_in_outputs(notebook):
    for number, cell in enumerate(code_cells(notebook), start=1):
        text = json.dumps(cell.outputs)
        match = MACHINE_PATH.search(text)
        assert match is None, (
            f"code cell {number} output contains {match.group()!r}: "
            f"...{text[max(match.start() - 80, 0) : match.end() + 80]}..."
        )


def test_no_machine_paths_in_metadata(notebook):
    texts = [json.dumps(notebook.metadata)]
    texts += [json.dumps(cell.metadata) for cell in notebook.cells]
    for text in texts:
        match = MACHINE_PATH.search(text)
        assert match is None, f"metadata contains {match.group()!r}: {text[:300]}"


def test_widget_state_stripped(notebook):
    assert "widgets" not in notebook.metadata, "run nbstripout (`make notebooks`)"
    for number, cell in enumerate(code_cells(notebook), start=1):
        assert "execution" not in cell.metadata, (
            f"code cell {number} keeps timing metadata: run `make notebooks`"
        )


def excuse_problem(source, tags):
    """Return why a cell's nbval marker lacks a reason, or None if it has one."""
    lines = [line.strip() for line in source.splitlines()]
    comments = [line.lstrip("#").strip() for line in lines if line.startswith("#")]
    has_marker = any(comment in NBVAL_MARKERS for comment in comments)
    has_marker |= any(tag in NBVAL_TAGS for tag in tags)
    if not has_marker:
        return None
    reasons = [
        comment
        for comment in comments
        if comment not in NBVAL_MARKERS and len(comment.split()) >= 3
    ]
    if reasons:
        return None
    return "marked for nbval to skip or ignore, but no comment in it says why"


def test_excused_cells_say_why(notebook):
    for number, cell in enumerate(code_cells(notebook), start=1):
        problem = excuse_problem(cell.source, cell.metadata.get("tags", []))
        assert problem is None, f"code cell {number}: {problem}\n{cell.source}"


def test_excuse_rule_itself():
    assert excuse_problem("x = 1", []) is None
    assert excuse_problem("# NBVAL_IGNORE_OUTPUT\nx", []) is not None
    assert excuse_problem("# NBVAL_SKIP\n# too slow for CI runs\nx", []) is None
    assert excuse_problem("x", ["nbval-ignore-output"]) is not None
    assert excuse_problem("# slider ids change\nx", ["nbval-skip"]) is None


def test_imports_then_seed(notebook):
    cells = code_cells(notebook)
    assert len(cells) >= 2, "a lesson needs an import cell and a seed cell"
    for line in cells[0].source.splitlines():
        line = line.strip()
        assert not line or line.startswith(("import ", "from ", "#", "%")), (
            f"the first code cell should only import, but has {line!r}"
        )
    assert "seed" in cells[1].source, "the second code cell should seed"


def sanitize(text):
    from nbval.plugin import get_sanitize_patterns

    config = (NOTEBOOK_DIR / "sanitize.cfg").read_text()
    for pattern, replacement in get_sanitize_patterns(config):
        text = re.sub(pattern, replacement, text)
    return text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<matplotlib.lines.Line2D at 0x7f3a2c1d5e90>",
            "<matplotlib.lines.Line2D at 0xADDRESS>",
        ),
        ("model 0123456789abcdef0123456789abcdef", "model WIDGET-MODEL-ID"),
        (
            "/tmp/ipykernel_1234/5678.py:3: UserWarning",
            "KERNEL-CELL-FILE:3: UserWarning",
        ),
        ("Wall time: 1.2 s", "Wall time: TIME"),
        (
            "Epoch 1/3:  40%|####      | 2/5 [00:01<00:02,  1.90batch/s]",
            "Epoch 1/3:  PROGRESS-BAR",
        ),
    ],
)
def test_sanitizer_rewrites_noise(text, expected):
    assert sanitize(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Epoch 1/3, Loss: 0.4321, Accuracy: 0.8765",
        "x: (784,) -> hidden output: (32,) -> probabilities: (10,)",
        "[[0.6652 0.2447 0.09  ]\n [0.6652 0.2447 0.09  ]]",
        "untrained network: loss 2.7790 nats, accuracy 6.7%",
        "largest float64: 1.7977e+308",
    ],
)
def test_sanitizer_keeps_lesson_numbers(text):
    assert sanitize(text) == text
