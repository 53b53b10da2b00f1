"""One scribble view (stepper, training explorer, digit explorer) on a lesson page.

A view is found through the kernel variable it is bound to. The test adds a CSS
class to that widget from the kernel, so the page element and the Python object are
the same view even when a lesson shows several.
"""

import json
import re
import time

from playwright.sync_api import expect

NAME = "scribble-step-name"
FORMULA = "scribble-step-formula"
NUMBERS = "scribble-step-numbers"
PREDICTION = "scribble-prediction"
PROBABILITIES = "scribble-probabilities"
FIGURE = "scribble-figure"

# A number as the formulas print it: "0.3994", "-2.887", "1.5e-05".
_NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")

# Text an injected drawing failure raises; the error view must show it.
INJECTED_ERROR = "drawing failed on purpose (browser test)"


def find_lesson(lessons, root, variable):
    """Return the first notebook path in ``lessons`` whose code assigns ``variable``."""
    assignment = re.compile(rf"^{variable}\s*=", re.MULTILINE)
    for path in lessons:
        notebook = json.loads((root / path).read_text())
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code" and assignment.search(
                "".join(cell["source"])
            ):
                return path
    return None


def math_text(text):
    """Return typeset math text with whitespace removed and U+2212 as "-"."""
    return re.sub(r"\s+", "", text).replace("\u2212", "-")


def formula_numbers(latex):
    """Return the decimal numbers a LaTeX formula contains, as written."""
    return _NUMBER.findall(latex)


class View:
    """The view bound to ``variable`` in ``notebook``'s kernel, with ``css_class``."""

    def __init__(self, notebook, variable, css_class):
        self.notebook = notebook
        self.variable = variable
        self.css_class = css_class
        marker = "browser-test-" + variable.replace("_", "-")
        notebook.execute(f"{variable}.add_class({marker!r})")
        self.root = notebook.page.locator(f".{marker}")
        expect(self.root).to_have_count(1)
        self.root.scroll_into_view_if_needed()

    def part(self, css_class):
        return self.root.locator(f".{css_class}")

    def text(self, css_class):
        return self.part(css_class).inner_text().strip()

    def value(self, expression):
        """Evaluate ``expression`` in the kernel, with ``{view}`` for the variable."""
        return self.notebook.evaluate(expression.format(view=self.variable))

    def wait_until(self, expression, predicate, timeout=30):
        """Evaluate ``expression`` in the kernel until ``predicate`` holds for it.

        Returns the value; raises AssertionError with the last value on timeout.
        Polling is needed because the widget manager holds back a widget update
        while an earlier one is unanswered, so a kernel request sent after a click
        may reach the kernel before the click does.
        """
        deadline = time.monotonic() + timeout
        while True:
            value = self.value(expression)
            if predicate(value):
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{expression.format(view=self.variable)} was still {value!r} "
                    f"after {timeout} s"
                )
            time.sleep(0.2)

    def figure(self, previous=None):
        """Return the figure's one image source, waiting until it differs from
        ``previous`` if given; fails if the output shows no image or several."""
        images = self.part(FIGURE).locator("img")
        expect(images).to_have_count(1)
        if previous is not None:
            expect(images).not_to_have_attribute("src", previous)
        return images.get_attribute("src")

    def slider_handle(self):
        return self.root.locator(".widget-slider .noUi-handle").first

    def press_slider(self, key):
        """Move the view's slider one step with ``key`` (ArrowRight, ArrowLeft).

        Returns once the key is pressed, before the kernel has seen the move.
        """
        handle = self.slider_handle()
        handle.focus()
        handle.press(key)

    def button(self, label):
        # Not exact: the accessible name also contains the icon font's glyph.
        return self.root.get_by_role("button", name=label)

    def screenshot(self, folder, lesson_path, moment):
        """Save a PNG of the view as ``<lesson>_<view class>_<moment>.png``."""
        stem = lesson_path.rsplit("/", 1)[-1].removesuffix(".ipynb")
        view_name = self.css_class.removeprefix("scribble-")
        path = folder / f"{stem}_{view_name}_{moment}.png"
        self.root.screenshot(path=path)
        return path
