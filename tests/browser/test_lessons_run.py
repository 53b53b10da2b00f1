"""Every notebook in notebooks/ runs in JupyterLab with no error and live widgets."""

import pytest
from conftest import NOTEBOOKS

LESSONS = sorted(
    path.relative_to(NOTEBOOKS.parent).as_posix()
    for path in NOTEBOOKS.rglob("*.ipynb")
    if ".ipynb_checkpoints" not in path.parts
)

NO_LESSONS = pytest.param(
    None, marks=pytest.mark.skip(reason="notebooks/ contains no notebook")
)

# Text written to stderr inside a widget: a traceback an Output widget caught, or a
# warning raised in a callback.
STDERR_IN_WIDGET = (
    ".jp-Notebook .jupyter-widgets [data-mime-type='application/vnd.jupyter.stderr']"
)


@pytest.mark.parametrize("path", LESSONS or [NO_LESSONS])
def test_lesson_runs_in_lab(notebooks, path):
    lesson = notebooks(path)

    assert lesson.cell_errors() == []
    assert lesson.widget_failures() == []
    assert lesson.page.locator(STDERR_IN_WIDGET).all_inner_texts() == []
    assert lesson.page.locator(".scribble-error").count() == 0
