"""The step-through views of lessons 5 and 6, used as a learner uses them.

The lessons bind the views to kernel variables ``stepper`` (the backprop stepper),
``training_explorer`` and ``digit_explorer``. Each test compares what the page shows
with what the kernel's Python objects hold, and saves screenshots of every view at
its first and last step in test-artifacts/.
"""

import numpy as np
import pytest
from conftest import NOTEBOOKS
from playwright.sync_api import expect
from test_lessons_run import LESSONS
from views import (
    FORMULA,
    INJECTED_ERROR,
    NAME,
    NUMBERS,
    PREDICTION,
    PROBABILITIES,
    View,
    find_lesson,
    formula_numbers,
    math_text,
)

VIEWS = {
    "stepper": "scribble-backprop-stepper",
    "training_explorer": "scribble-training-explorer",
    "digit_explorer": "scribble-digit-explorer",
}

# Each step as the kernel's step record stores it.
STEPS = (
    "[{{'name': step.name, 'formula': step.formula, "
    "'numbers': {view}.numbers_text(i)}} for i, step in enumerate({view}.steps)]"
)

# What the network computes for the image the digit explorer shows, from the network
# itself rather than from the explorer's own prediction.
DIGIT = """{{
    'index': int({view}.index),
    'label': int({view}.labels[{view}.index]),
    'probabilities': [float(p) for p in {view}.network.predict_proba(
        np.asarray({view}.images[{view}.index]).reshape(-1))],
}}"""


def lesson_with(variable):
    path = find_lesson(LESSONS, NOTEBOOKS.parent, variable)
    if path is None:
        pytest.skip(f"no notebook in notebooks/ assigns `{variable}`")
    return path


def open_view(notebooks, variable):
    path = lesson_with(variable)
    notebook = notebooks(path)
    notebook.page.bring_to_front()
    return path, View(notebook, variable, VIEWS[variable])


@pytest.fixture(scope="module")
def stepper(notebooks):
    return open_view(notebooks, "stepper")


@pytest.fixture(scope="module")
def training_explorer(notebooks):
    return open_view(notebooks, "training_explorer")


@pytest.fixture(scope="module")
def digit_explorer(notebooks):
    path, view = open_view(notebooks, "digit_explorer")
    view.notebook.execute("import numpy as np")
    return path, view


def expect_step(view, step, previous_figure, previous_formula):
    """Check that ``view`` shows ``step`` and return its figure and formula texts."""
    expect(view.part(NAME)).to_have_text(step["name"])
    expect(view.part(NUMBERS)).to_have_text(step["numbers"])
    assert view.text(NUMBERS) == step["numbers"]

    figure = view.figure(previous=previous_figure)

    # HTMLMath typesets the LaTeX with MathJax, so the page shows glyphs, not the
    # source: compare the numbers the formula substitutes.
    formula = view.part(FORMULA)
    expect(formula.locator("mjx-container")).to_have_count(1)
    if previous_formula is not None:
        expect(formula).not_to_have_text(previous_formula)
    shown = math_text(formula.inner_text())
    for number in formula_numbers(step["formula"]):
        assert number in shown, f"{number} of {step['formula']!r} not in {shown!r}"
    return figure, formula.inner_text()


def test_stepper_walks_every_step(stepper, artifacts):
    path, view = stepper
    steps = view.value(STEPS)
    assert len(steps) >= 2
    assert view.value("{view}.index") == 0
    for before, after in zip(steps, steps[1:]):
        assert before["name"] != after["name"]
        assert before["formula"] != after["formula"]

    figure, formula = expect_step(view, steps[0], None, None)
    view.screenshot(artifacts, path, "first")

    for index in range(1, len(steps)):
        view.button("Next").click()
        figure, formula = expect_step(view, steps[index], figure, formula)
        assert view.value("{view}.index") == index
    view.screenshot(artifacts, path, "last")

    for index in range(len(steps) - 2, -1, -1):
        view.button("Previous").click()
        figure, formula = expect_step(view, steps[index], figure, formula)
        assert view.value("{view}.index") == index


def test_training_explorer_slider_walks_epochs(training_explorer, artifacts):
    path, view = training_explorer
    steps = view.value(STEPS)
    assert len(steps) >= 2
    start = view.value("{view}.index")

    figure, formula = expect_step(view, steps[start], None, None)
    for index in range(start, 0, -1):
        view.press_slider("ArrowLeft")
        figure, formula = expect_step(view, steps[index - 1], figure, formula)
        assert view.value("{view}.index") == index - 1
    view.screenshot(artifacts, path, "first")

    for index in range(1, len(steps)):
        view.press_slider("ArrowRight")
        figure, formula = expect_step(view, steps[index], figure, formula)
    view.screenshot(artifacts, path, "last")


def expect_digit(view, index, previous_figure, previous_probabilities):
    """Check that the page shows image ``index`` and the network's prediction."""
    digit = view.value(DIGIT)
    assert digit["index"] == index
    probabilities = np.array(digit["probabilities"])
    prediction = int(np.argmax(probabilities))
    verdict = "right" if prediction == digit["label"] else "wrong"

    figure = view.figure(previous=previous_figure)
    shown = view.part(PROBABILITIES)
    if previous_probabilities is not None:
        expect(shown).not_to_have_text(previous_probabilities)
    expect(view.part(PREDICTION)).to_have_text(
        f"prediction: {prediction} (label {digit['label']}, {verdict})"
    )

    # One "class: probability" line per class, 4 significant digits.
    lines = [line.split(":") for line in shown.inner_text().strip().splitlines()]
    assert [int(digit_class) for digit_class, _ in lines] == list(range(len(lines)))
    shown_probabilities = np.array([float(value) for _, value in lines])
    np.testing.assert_allclose(shown_probabilities, probabilities, rtol=1e-3, atol=0)
    return figure, shown.inner_text()


def test_digit_explorer_slider_and_random(digit_explorer, artifacts):
    path, view = digit_explorer
    index, last = view.value("[{view}.index, len({view}.images) - 1]")
    figure, probabilities = expect_digit(view, index, None, None)
    view.screenshot(artifacts, path, "first")

    key, step = ("ArrowRight", 1) if index < last else ("ArrowLeft", -1)
    view.press_slider(key)
    index = view.wait_until("{view}.index", lambda shown: shown == index + step)
    figure, probabilities = expect_digit(view, index, figure, probabilities)

    for _ in range(3):
        view.button("random").click()
        index = view.wait_until("{view}.index", lambda shown, old=index: shown != old)
        figure, probabilities = expect_digit(view, index, figure, probabilities)
    view.screenshot(artifacts, path, "last")


# Counts every image matplotlib renders in the kernel: savefig and the inline
# backend both go through FigureCanvasBase.print_figure.
COUNT_DRAWS = """
import matplotlib.backend_bases as _backend_bases
if not hasattr(_backend_bases.FigureCanvasBase, "_browser_test_original"):
    _browser_test_draws = [0]
    _backend_bases.FigureCanvasBase._browser_test_original = (
        _backend_bases.FigureCanvasBase.print_figure)
    def _browser_test_counting(self, *args, **kwargs):
        _browser_test_draws[0] += 1
        return _backend_bases.FigureCanvasBase._browser_test_original(
            self, *args, **kwargs)
    _backend_bases.FigureCanvasBase.print_figure = _browser_test_counting
"""

RAISE_ON_DRAW = f"""
import matplotlib.backend_bases as _backend_bases
def _browser_test_failing(self, *args, **kwargs):
    raise RuntimeError({INJECTED_ERROR!r})
_backend_bases.FigureCanvasBase.print_figure = _browser_test_failing
"""

RESTORE_DRAW = """
import matplotlib.backend_bases as _backend_bases
_backend_bases.FigureCanvasBase.print_figure = (
    _backend_bases.FigureCanvasBase._browser_test_original)
del _backend_bases.FigureCanvasBase._browser_test_original
"""


@pytest.fixture(params=list(VIEWS))
def any_view(request, notebooks):
    path, view = open_view(notebooks, request.param)
    return view


def slider_moves(view, count):
    """Move the slider ``count`` times, turning back at either end.

    Yields after each move, once the kernel has the slider's new value.
    """
    lowest, highest, current = view.value(
        "[{view}.slider.min, {view}.slider.max, {view}.slider.value]"
    )
    step = 1
    for _ in range(count):
        if not lowest <= current + step <= highest:
            step = -step
        view.press_slider("ArrowRight" if step > 0 else "ArrowLeft")
        current = view.wait_until(
            "{view}.slider.value",
            lambda value, expected=current + step: value == expected,
        )
        yield


# Images rendered so far, and the number of figures pyplot keeps open.
DRAWS_AND_FIGURES = "[_browser_test_draws[0], len(_browser_test_plt.get_fignums())]"


def test_twenty_moves_draw_once_each(any_view):
    view = any_view
    view.notebook.execute("import matplotlib.pyplot as _browser_test_plt")
    view.notebook.execute(COUNT_DRAWS)
    try:
        draws, figures_before = view.value(DRAWS_AND_FIGURES)
        open_figures = []
        figure = view.figure()
        for _ in slider_moves(view, 20):
            # The new image on the page means the callback has drawn; a comm
            # message can run while a kernel request waits, so read after it.
            figure = view.figure(previous=figure)
            draws_after, figures = view.value(DRAWS_AND_FIGURES)
            assert draws_after - draws == 1, "one slider move must draw once"
            draws = draws_after
            open_figures.append(figures)
    finally:
        view.notebook.execute(RESTORE_DRAW)

    assert open_figures[-1] == open_figures[9], "figures pile up as the slider moves"
    assert open_figures[-1] <= figures_before + 1


def test_callback_error_shows_in_view(any_view):
    view = any_view
    view.notebook.execute(COUNT_DRAWS)
    view.notebook.execute(RAISE_ON_DRAW)
    try:
        next(slider_moves(view, 1))
        expect(view.root).to_contain_text(INJECTED_ERROR)
        expect(view.root).to_contain_text("RuntimeError")
    finally:
        view.notebook.execute(RESTORE_DRAW)

    # The next move draws again and the error goes away.
    next(slider_moves(view, 1))
    view.figure()
    expect(view.root).not_to_contain_text(INJECTED_ERROR)
