"""The browser harness itself: it drives widgets and catches broken notebooks.

These tests write two small notebooks into the served folder. One has a slider, a
button and an Output that work. The other has the failures the lesson tests must
catch: a cell that raises, a widget shown as its text repr, a callback that raises.
"""

import nbformat
import pytest
from labpage import KernelError

WORKING = """\
import ipywidgets as widgets
from IPython.display import display

slider = widgets.IntSlider(value=3, min=0, max=10, description="n")
button = widgets.Button(description="reset")
out = widgets.Output()
calls = []

def show(change=None):
    calls.append(slider.value)
    out.clear_output(wait=True)
    with out:
        print(f"square: {slider.value ** 2}")

def reset(_):
    slider.value = 0

slider.observe(show, names="value")
button.on_click(reset)
show()
display(widgets.VBox([slider, button, out]))
"""

BROKEN_CELLS = [
    """\
import ipywidgets as widgets
from IPython.display import display

slider = widgets.IntSlider(value=1, min=0, max=5)
out = widgets.Output()

def show(change):
    with out:
        raise ValueError(f"callback failed at {slider.value}")

slider.observe(show, names="value")
display(widgets.VBox([slider, out]))
""",
    "print(repr(widgets.IntSlider(value=2)))",
    "1 / 0",
]


def _write_notebook(folder, name, cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    folder.mkdir(exist_ok=True)
    nbformat.write(notebook, folder / name)
    return f"{folder.name}/{name}"


@pytest.fixture(scope="module")
def working(served_notebooks, notebooks):
    return notebooks(
        _write_notebook(served_notebooks / "harness", "working.ipynb", [WORKING])
    )


@pytest.fixture(scope="module")
def broken(served_notebooks, notebooks):
    return notebooks(
        _write_notebook(served_notebooks / "harness", "broken.ipynb", BROKEN_CELLS)
    )


def test_working_notebook_passes_checks(working):
    assert working.cell_errors() == []
    assert working.widget_failures() == []
    assert working.widget_count() > 0


def test_slider_keys_run_callback(working):
    output = working.page.locator(".widget-output")
    assert output.inner_text().strip() == "square: 9"

    working.page.locator(".widget-slider .noUi-handle").focus()
    working.page.keyboard.press("ArrowRight")

    working.page.wait_for_function(
        "() => document.querySelector('.widget-output').innerText.includes('16')"
    )
    assert working.evaluate("calls") == [3, 4]


def test_button_click_runs_callback(working):
    working.page.get_by_role("button", name="reset").click()
    working.page.wait_for_function(
        "() => document.querySelector('.widget-output').innerText.includes('square: 0')"
    )
    assert working.evaluate("slider.value") == 0


def test_kernel_errors_raise(working):
    with pytest.raises(KernelError, match="NameError: name 'undefined_name'"):
        working.execute("undefined_name")


def test_broken_notebook_reports_cell_error(broken):
    errors = broken.cell_errors()

    assert errors == ["cell 2: ZeroDivisionError: division by zero"]


def test_broken_notebook_reports_raw_widget(broken):
    assert "IntSlider(" in broken.widget_failures()


def test_callback_error_shows_in_output(broken):
    broken.page.locator(".widget-slider .noUi-handle").focus()
    broken.page.keyboard.press("ArrowRight")

    error = broken.page.locator(".widget-output").get_by_text("callback failed at 2")
    error.wait_for()
    assert "ValueError" in broken.page.locator(".widget-output").inner_text()
