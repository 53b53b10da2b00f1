"""Fixtures for the browser tests: one JupyterLab server and one Chromium a session.

The browser is Debian's Chromium at /usr/bin/chromium, or the executable that the
environment variable CHROMIUM_PATH names. Without it the tests are skipped, except
under CI=true, where any skipped browser test fails the run: CI installs Chromium,
so a skip there would hide that the lessons were never tried in a browser.
"""

import os
import shutil
from pathlib import Path

import pytest
from labpage import NotebookPage
from labserver import LabServer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

# Headless Debian Chromium as root, with every background service that would call
# an outside host turned off, and host names other than the loopback one unresolved.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--no-first-run",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

MISSING_CHROMIUM = (
    f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium` "
    "(.ci/run does this)"
)


def in_ci():
    return os.environ.get("CI", "").lower() == "true"


def _missing_requirement():
    """Return why the browser tests cannot run here, or None if they can."""
    if not CHROMIUM.exists():
        return MISSING_CHROMIUM
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return (
            "Playwright for Python is missing: run `make venv` (it is a dev dependency)"
        )
    return None


def _is_browser_test(nodeid):
    return (ROOT / nodeid.split("::")[0]).resolve().is_relative_to(HERE)


def pytest_collection_modifyitems(config, items):
    reason = _missing_requirement()
    if reason is None:
        return
    for item in items:
        if _is_browser_test(item.nodeid):
            item.add_marker(pytest.mark.skip(reason=reason))


_skipped = []


def pytest_runtest_logreport(report):
    if report.skipped and _is_browser_test(report.nodeid):
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if in_ci() and _skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    reason = _missing_requirement()
    if reason is not None:
        terminalreporter.write_line(f"Browser tests skipped: {reason}", yellow=True)
    if in_ci() and _skipped:
        terminalreporter.write_line(
            f"FAILED: {len(_skipped)} browser tests were skipped under CI=true, where "
            "every browser test must run; see the skip reasons above.",
            red=True,
        )


@pytest.fixture(scope="session")
def served_notebooks(tmp_path_factory):
    """A temporary copy of notebooks/ (JupyterLab autosaves what it opens)."""
    root = tmp_path_factory.mktemp("lab-root")
    if NOTEBOOKS.is_dir():
        shutil.copytree(
            NOTEBOOKS,
            root / "notebooks",
            ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
        )
    return root


@pytest.fixture(scope="session")
def lab_server(served_notebooks, tmp_path_factory):
    server = LabServer(served_notebooks, tmp_path_factory.mktemp("lab-state"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # A kernel on a busy 2-core machine can take seconds to handle a widget event.
    expect.set_options(timeout=30_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def browser_context(browser, lab_server):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(30_000)

    # Only the test's own server may be reached from the page.
    def allow_loopback_only(route):
        if route.request.url.startswith(lab_server.url + "/"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", allow_loopback_only)
    yield context
    context.close()


@pytest.fixture(scope="session")
def notebooks(browser_context, lab_server):
    """Open notebooks by path, each in its own page, run once and kept for the session.

    Returns a function ``open_notebook(path)`` that returns a :class:`NotebookPage`
    whose cells have all run. Later calls with the same path return the same page.
    """
    opened = {}

    def open_notebook(path):
        if path not in opened:
            notebook = NotebookPage(browser_context.new_page(), lab_server, path)
            notebook.open()
            notebook.run_all()
            opened[path] = notebook
        return opened[path]

    yield open_notebook
    for notebook in opened.values():
        notebook.page.close()


@pytest.fixture(scope="session")
def artifacts():
    """The git-ignored folder where the tests save screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
