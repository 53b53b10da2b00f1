"""The drawing canvas of lesson 10: press, drag, and watch the prediction follow.

The mouse draws on the pad in Chromium. The lesson binds the view to the kernel
variable ``canvas``, which must then contain the same strokes, and the prediction
the page shows must be the one scribble computes from them.
"""

import re

import pytest
from playwright.sync_api import expect

NOTEBOOK = "notebooks/10-draw-your-own-digit.ipynb"
PAD_SIZE = 280  # the lesson's pad, in canvas pixels

VERTICAL_BAR = [(140, 50), (140, 230)]
TOP_BAR = [(80, 60), (200, 60)]


@pytest.fixture(scope="module")
def lesson(notebooks):
    return notebooks(NOTEBOOK)


@pytest.fixture(scope="module")
def view(lesson):
    root = lesson.page.locator(".scribble-drawing-canvas")
    expect(root).to_have_count(1)
    root.scroll_into_view_if_needed()
    return root


def drag(page, pad, points):
    """Press at the first point, drag through the others, release."""
    box = pad.bounding_box()

    def screen(point):
        x, y = point
        return box["x"] + x * box["width"] / PAD_SIZE, box["y"] + y * box[
            "height"
        ] / PAD_SIZE

    page.mouse.move(*screen(points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*screen(point), steps=12)
    page.mouse.up()


def wait_for_strokes(lesson, count):
    for _ in range(120):
        if lesson.evaluate("len(canvas.strokes)") == count:
            return
        lesson.page.wait_for_timeout(250)
    raise AssertionError(f"the kernel never saw {count} strokes")


def kernel_prediction(lesson):
    return lesson.evaluate(
        "scribble.drawing.predict_strokes(network, canvas.strokes).label"
    )


def test_lesson_runs_clean(lesson, view):
    assert lesson.cell_errors() == []
    assert lesson.widget_failures() == []
    expect(view.locator(".scribble-prediction")).to_have_text("Draw a digit")


def test_drag_updates_prediction(lesson, view, artifacts):
    pad = view.locator("canvas")
    prediction = view.locator(".scribble-prediction")
    drag(lesson.page, pad, VERTICAL_BAR)
    wait_for_strokes(lesson, 1)
    expect(prediction).to_have_text(re.compile(r"Prediction: \d \(\d+\.\d%\)"))
    expect(prediction).to_have_text(lesson.evaluate("canvas.prediction_text"))
    label = kernel_prediction(lesson)
    assert prediction.inner_text().startswith(f"Prediction: {label} (")
    # The pad was drawn on: its pixels are not all white any more.
    assert lesson.page.evaluate(
        """(canvas) => {
             const data = canvas.getContext("2d")
               .getImageData(0, 0, canvas.width, canvas.height).data;
             return data.some((value, i) => i % 4 !== 3 && value < 128);
           }""",
        pad.element_handle(),
    )
    view.screenshot(path=str(artifacts / "drawing-canvas-bar.png"))


def test_undo_and_clear(lesson, view, artifacts):
    pad = view.locator("canvas")
    prediction = view.locator(".scribble-prediction")
    if lesson.evaluate("len(canvas.strokes)") != 1:
        lesson.execute("canvas.clear()")
        drag(lesson.page, pad, VERTICAL_BAR)
        wait_for_strokes(lesson, 1)
    one_stroke = lesson.evaluate("canvas.prediction_text")
    expect(prediction).to_have_text(one_stroke)

    drag(lesson.page, pad, TOP_BAR)
    wait_for_strokes(lesson, 2)
    expect(prediction).to_have_text(lesson.evaluate("canvas.prediction_text"))
    assert lesson.evaluate("canvas.strokes[0][0]")[0] == pytest.approx(140, abs=2)
    view.screenshot(path=str(artifacts / "drawing-canvas-two-strokes.png"))

    view.get_by_role("button", name="Undo").click()
    wait_for_strokes(lesson, 1)
    expect(prediction).to_have_text(one_stroke)

    view.get_by_role("button", name="Clear").click()
    wait_for_strokes(lesson, 0)
    expect(prediction).to_have_text("Draw a digit")
    lesson.page.wait_for_function(
        """(canvas) => {
             const data = canvas.getContext("2d")
               .getImageData(0, 0, canvas.width, canvas.height).data;
             return data.every((value) => value === 255);
           }""",
        arg=pad.element_handle(),
    )
