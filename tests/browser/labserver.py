"""Start and stop a JupyterLab server on 127.0.0.1 for the browser tests.

The server serves a folder the caller owns (a temporary copy of the notebooks,
because JupyterLab autosaves) on a free loopback port with a random token. It keeps
its configuration, settings and workspaces in a temporary folder too, so a run
neither reads nor changes the user's Jupyter setup.
"""

import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

# Flags that keep the server on loopback and stop JupyterLab from calling outside
# hosts: no news feed, no update check, and an extension manager that never queries a
# package index.
SERVER_OPTIONS = [
    "--no-browser",
    "--ServerApp.ip=127.0.0.1",
    "--allow-root",
    "--LabApp.expose_app_in_browser=True",
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
]

# The pop-up that requests permission to fetch news would cover the notebook.
ANNOUNCEMENTS_PLUGIN = "@jupyterlab/apputils-extension:announcements"


def _exit_with_parent():
    """Ask Linux to send SIGTERM to this child when the test process dies.

    Runs in the child before exec, so the server stops even when pytest itself is
    killed and its fixtures never tear down.
    """
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """A JupyterLab server process serving ``root`` on 127.0.0.1.

    ``state`` is a folder for Jupyter's configuration, runtime files, settings and
    the server log. Call :meth:`stop` when done, also after a failure.
    """

    def __init__(self, root, state):
        self.root = Path(root)
        self.state = Path(state)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log_path = self.state / "jupyterlab.log"
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def environment(self):
        """Return the server's environment: isolated Jupyter folders, one BLAS thread."""
        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(self.state / "config"),
            JUPYTER_RUNTIME_DIR=str(self.state / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(self.state / "settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(self.state / "workspaces"),
            IPYTHONDIR=str(self.state / "ipython"),
            OMP_NUM_THREADS="1",
            OPENBLAS_NUM_THREADS="1",
            MKL_NUM_THREADS="1",
        )
        # The kernels must use the notebook's inline backend, not a test's Agg.
        env.pop("MPLBACKEND", None)
        return env

    def start(self, timeout=180):
        """Start the server and wait until its REST API responds."""
        env = self.environment()
        self._write_settings()
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            f"--port={self.port}",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            *SERVER_OPTIONS,
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_exit_with_parent if sys.platform == "linux" else None,
            )
        self._wait_until_ready(timeout)

    def _write_settings(self):
        """Write the user settings the tests rely on into the isolated folders."""
        # What `jupyter labextension disable --level=user` writes, without its
        # start-up of up to 40 s on a busy machine.
        labconfig = self.state / "config" / "labconfig"
        labconfig.mkdir(parents=True, exist_ok=True)
        (labconfig / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {ANNOUNCEMENTS_PLUGIN: True}})
        )
        # Every cell in the DOM, also the ones scrolled out of view, so the checks
        # see every output; other windowing modes may detach off-screen cells.
        notebook_settings = (
            self.state / "settings" / "@jupyterlab" / "notebook-extension"
        )
        notebook_settings.mkdir(parents=True, exist_ok=True)
        (notebook_settings / "tracker.jupyterlab-settings").write_text(
            json.dumps({"windowingMode": "none"})
        )

    def _wait_until_ready(self, timeout):
        deadline = time.monotonic() + timeout
        status_url = f"{self.url}/api/status?token={self.token}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with code {self.process.returncode} before "
                    f"it responded; its log:\n{self.log()}"
                )
            try:
                with urllib.request.urlopen(status_url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(
            f"JupyterLab did not respond on {self.url} within {timeout} s; its log:\n"
            f"{self.log()}"
        )

    def log(self):
        """Return the server's output so far, for error messages."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-6000:]

    def stop(self, timeout=15):
        """Terminate the server, then kill it and any kernel it left behind.

        The server shuts its kernels down on SIGTERM. Kernels found among its
        children beforehand are killed by PID if they outlive it.
        """
        if self.process is None or self.process.poll() is not None:
            return
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)
        _, alive = psutil.wait_procs(children, timeout=5)
        for child in alive:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
