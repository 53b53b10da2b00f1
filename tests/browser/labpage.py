"""Drive one notebook open in JupyterLab in Chromium, through Playwright.

JupyterLab runs with ``expose_app_in_browser``, so ``window.jupyterapp`` gives the
tests its command registry (to run all cells) and the notebook's kernel connection
(to ask the kernel what scribble computed and compare it with what the page shows).
"""

import json
import re

# Finds the notebook panel for a path among JupyterLab's main-area widgets.
_FIND_PANEL = """
const findPanel = (path) => {
  if (!window.jupyterapp) return null;
  for (const widget of window.jupyterapp.shell.widgets("main")) {
    if (widget.context && widget.context.path === path) return widget;
  }
  return null;
};
"""

# True once every non-empty code cell has run (or run-all stopped at an error) and
# the kernel is idle.
_RUN_FINISHED = (
    "(path) => {"
    + _FIND_PANEL
    + """
  const panel = findPanel(path);
  const kernel = panel && panel.sessionContext.session?.kernel;
  if (!kernel || kernel.status !== "idle") return false;
  let pending = false;
  let failed = false;
  for (const cell of panel.content.widgets) {
    if (cell.model.type !== "code" || !cell.model.sharedModel.getSource().trim()) {
      continue;
    }
    const prompt = cell.node.querySelector(".jp-InputPrompt");
    if (prompt && prompt.textContent.includes("*")) return false;
    if (cell.model.outputs.toJSON().some((o) => o.output_type === "error")) {
      failed = true;
    }
    if (cell.model.executionCount === null) pending = true;
  }
  return failed || !pending;
}"""
)

# Runs code in the notebook's kernel and collects its stdout, stderr and error.
_EXECUTE = (
    "async ([path, code]) => {"
    + _FIND_PANEL
    + """
  const kernel = findPanel(path).sessionContext.session.kernel;
  const future = kernel.requestExecute({
    code, silent: false, store_history: false, allow_stdin: false,
  });
  const result = { stdout: "", stderr: "", error: null };
  future.onIOPub = (message) => {
    const type = message.header.msg_type;
    if (type === "stream") {
      result[message.content.name === "stdout" ? "stdout" : "stderr"] +=
        message.content.text;
    } else if (type === "error") {
      result.error = `${message.content.ename}: ${message.content.evalue}`;
    }
  };
  await future.done;
  return result;
}"""
)

# Errors stored in cell outputs, except in cells tagged to raise on purpose.
_CELL_ERRORS = (
    "(path) => {"
    + _FIND_PANEL
    + """
  const errors = [];
  findPanel(path).content.widgets.forEach((cell, index) => {
    if (cell.model.type !== "code") return;
    const tags = cell.model.getMetadata("tags") || [];
    if (tags.includes("raises-exception")) return;
    for (const output of cell.model.outputs.toJSON()) {
      if (output.output_type === "error") {
        errors.push(`cell ${index}: ${output.ename}: ${output.evalue}`);
      }
    }
  });
  return errors;
}"""
)

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# Text that appears where a widget failed to render: the widget manager's error
# message, or the text/plain repr that shows when no widget manager took the output.
WIDGET_FAILURES = re.compile(
    r"Error displaying widget|model not found|"
    r"\b(?:IntSlider|FloatSlider|SelectionSlider|Button|HBox|VBox|Dropdown|"
    r"ToggleButtons|Output|interactive)\(",
)


class KernelError(RuntimeError):
    """Code sent to the notebook's kernel raised an exception."""


class NotebookPage:
    """One notebook opened in its own JupyterLab page.

    ``path`` is relative to the server's root folder.
    """

    def __init__(self, page, server, path):
        self.page = page
        self.server = server
        self.path = path
        self.console = []
        page.on("console", self._log_console)
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def _log_console(self, message):
        if message.type == "error":
            self.console.append(f"{message.type}: {message.text}")

    def open(self, timeout=90_000):
        """Open the notebook and wait until its kernel is connected and idle."""
        self.page.goto(
            f"{self.server.url}/lab/tree/{self.path}?token={self.server.token}&reset",
            timeout=timeout,
        )
        self.page.wait_for_function(
            "(path) => {"
            + _FIND_PANEL
            + """
              const panel = findPanel(path);
              const kernel = panel && panel.sessionContext.session?.kernel;
              return Boolean(panel && panel.context.isReady && kernel
                             && kernel.status === "idle");
            }""",
            arg=self.path,
            timeout=timeout,
            polling=250,
        )

    def run_all(self, timeout=300_000):
        """Run every cell, then wait for the kernel and for widget views to render."""
        self.page.evaluate(
            "async (path) => {"
            + _FIND_PANEL
            + """
              const app = window.jupyterapp;
              app.shell.activateById(findPanel(path).id);
              await app.commands.execute("notebook:run-all-cells");
            }""",
            self.path,
        )
        self.page.wait_for_function(
            _RUN_FINISHED, arg=self.path, timeout=timeout, polling=250
        )
        self.wait_for_widgets()

    def wait_for_widgets(self, timeout=60_000):
        """Wait until every widget output holds a rendered view or an error text."""
        self.page.wait_for_function(
            """(mime) => [...document.querySelectorAll(
                 `.jp-OutputArea-output[data-mime-type="${mime}"]`)]
               .every((node) => node.querySelector(".jupyter-widgets")
                                || node.textContent.trim())""",
            arg=WIDGET_MIME,
            timeout=timeout,
            polling=250,
        )

    def cell_errors(self):
        """Return one line per error output, as ``cell N: Type: message``."""
        return self.page.evaluate(_CELL_ERRORS, self.path)

    def widget_failures(self):
        """Return the texts in output areas that show a widget failed to render."""
        texts = self.page.locator(
            ".jp-Notebook .jp-OutputArea-output"
        ).all_inner_texts()
        failures = []
        for text in texts:
            failures += [match.group(0) for match in WIDGET_FAILURES.finditer(text)]
        return failures

    def widget_count(self):
        """Return the number of rendered widget views in the notebook."""
        return self.page.locator(".jp-Notebook .jupyter-widgets").count()

    def execute(self, code):
        """Run ``code`` in the notebook's kernel and return its stdout.

        Raises KernelError with the exception's type and message if the code raised.
        """
        result = self.page.evaluate(_EXECUTE, [self.path, code])
        if result["error"]:
            raise KernelError(f"{result['error']}\nwhile running:\n{code}")
        return result["stdout"]

    def evaluate(self, expression):
        """Evaluate a Python expression in the kernel and return it decoded from JSON."""
        output = self.execute(
            "import json as _browser_test_json\n"
            f"print(_browser_test_json.dumps({expression}))"
        )
        # The last line is the JSON; anything the expression printed comes before.
        return json.loads(output.strip().splitlines()[-1])
