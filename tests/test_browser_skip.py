"""The browser suite skips without Chromium, and fails instead under CI=true."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_browser_suite(ci):
    """Run tests/browser with no Chromium to be found, under CI=true or without CI."""
    env = {**os.environ, "CHROMIUM_PATH": "/nonexistent/chromium"}
    env.pop("CI", None)
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider"]
        + ["tests/browser"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_missing_chromium_skips_with_install_hint():
    result = run_browser_suite(ci=False)

    assert result.returncode == 0, result.stdout
    assert "apt-get install chromium" in result.stdout
    assert " passed" not in result.stdout


def test_missing_chromium_fails_under_ci():
    result = run_browser_suite(ci=True)

    assert result.returncode == 1, result.stdout
    assert "skipped under CI=true" in result.stdout
