"""JupyterLab driven in headless Chromium, for ``tests/test_browser.py``.

Three pieces, each usable on its own when debugging a notebook by hand:

* :class:`LabServer` starts ``python -m jupyterlab`` on ``127.0.0.1`` with a
  random token, in a private set of Jupyter folders (nothing from ``~`` leaks
  in), with the news and update pop-ups turned off, and stops it (and its
  kernels) again.
* :func:`launch_chromium` opens Debian's Chromium through Playwright with a
  fresh profile and the flags that keep it off the network.
* :class:`LabNotebook` does what a reader does: open a notebook, Run > Run All
  Cells, look for errors, move a slider (the first, or one named by its label),
  watch the plot change.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

#: Flags that keep Chromium headless, off the network and without a first-run UI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
]

#: JupyterLab settings for a test run: no news or update checks, every cell in the
#: DOM (windowed notebooks detach off-screen cells), no autosave, no extension
#: manager (it would query PyPI).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
}

#: Kernel-side failures as JupyterLab renders them.
ERROR_PATTERN = re.compile(
    r"Traceback \(most recent call last\)|^\s*\w*(Error|Exception)\b.*:"
    r"|Error displaying widget",
    re.MULTILINE,
)
#: Selectors for the pieces of the page the tests read.
SLIDER = ".widget-slider, .jupyter-widgets .slider"
SLIDER_HANDLE = ".noUi-handle, .ui-slider-handle"
RUN_ALL_LABEL = re.compile(r"^\s*Run All Cells\s*$")
STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


def find_chromium() -> str | None:
    """Chromium's executable: ``$RCOT_CHROMIUM``, ``/usr/bin/chromium`` or the PATH."""
    candidates = [os.environ.get("RCOT_CHROMIUM", ""), "/usr/bin/chromium"]
    candidates += [shutil.which(n) or "" for n in ("chromium", "chromium-browser")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lab_environment(home: Path) -> dict[str, str]:
    """Environment for a JupyterLab server whose Jupyter folders all live in ``home``.

    Kernels see ``RCOT_FAST=1`` and the inline matplotlib backend; the test
    process's ``RCOT_HEADLESS`` and ``MPLBACKEND`` are dropped so that widgets
    are live.
    """
    dirs = {
        "JUPYTER_CONFIG_DIR": home / "config",
        "JUPYTER_DATA_DIR": home / "data",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "lab-workspaces",
        "IPYTHONDIR": home / "ipython",
        "MPLCONFIGDIR": home / "matplotlib",
    }
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    labconfig = dirs["JUPYTER_CONFIG_DIR"] / "labconfig"
    labconfig.mkdir(exist_ok=True)
    (labconfig / "default_setting_overrides.json").write_text(
        json.dumps(LAB_SETTINGS, indent=1), encoding="utf-8"
    )
    server_config = {  # no announcements feed, no update check
        "LabApp": {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        }
    }
    (dirs["JUPYTER_CONFIG_DIR"] / "jupyter_server_config.json").write_text(
        json.dumps(server_config, indent=1), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    for name in ("RCOT_HEADLESS", "MPLBACKEND", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    env.update({k: str(v) for k, v in dirs.items()})
    env["RCOT_FAST"] = "1"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


class LabServer:
    """A JupyterLab server on 127.0.0.1 serving ``root_dir``; stop it with :meth:`stop`.

    Parameters
    ----------
    root_dir : Path
        Folder shown in JupyterLab (a copy: kernels and saves may write there).
    home : Path
        Empty folder for the private Jupyter folders and the server log.
    """

    def __init__(self, root_dir: Path, home: Path) -> None:
        self.root_dir = Path(root_dir)
        self.home = Path(home)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log_path = self.home / "jupyterlab.log"
        self.proc: subprocess.Popen | None = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "lab") -> str:
        """A page of the server with the token (the browser then keeps a cookie)."""
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}/{path.lstrip('/')}{sep}token={self.token}"

    def start(self, timeout: float = 90.0) -> LabServer:
        """Start the server and wait until its REST API answers."""
        env = lab_environment(self.home)
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--ServerApp.open_browser=False",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.extension_manager=readonly",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
            cmd.append("--ServerApp.allow_root=True")
        log = open(self.log_path, "wb")  # the server keeps its own copy of the handle
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.root_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with code {self.proc.returncode}:\n"
                    f"{self.log_tail()}"
                )
            try:
                self.api("api/status")
                return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise TimeoutError(
            f"JupyterLab did not answer in {timeout:.0f} s:\n{self.log_tail()}"
        )

    def api(self, path: str, method: str = "GET", timeout: float = 10.0) -> Any:
        """Call the server's REST API; returns the decoded JSON (or None)."""
        req = urllib.request.Request(
            f"{self.base_url}/{path.lstrip('/')}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with self._opener.open(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_sessions(self) -> None:
        """Shut down every open notebook session and its kernel."""
        try:
            for session in self.api("api/sessions"):
                self.api(f"api/sessions/{session['id']}", method="DELETE", timeout=30)
        except OSError:
            pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server, its kernels (own process groups) and anything left over."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        children = _descendants(proc.pid)
        self.shutdown_sessions()
        try:
            self.api("api/shutdown", method="POST", timeout=5)
            proc.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            pass
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if proc.poll() is not None:
                break
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                pass
        for child in children:  # kernels run in their own sessions
            try:
                child.kill()
            except Exception:  # already gone
                pass


def _descendants(pid: int) -> list:
    try:
        import psutil

        return psutil.Process(pid).children(recursive=True)
    except Exception:  # psutil missing or the process already gone
        return []


def launch_chromium(
    playwright: Any,
    profile_dir: Path,
    executable: str,
    width: int = 1280,
    height: int = 800,
) -> Any:
    """A headless Chromium context with a fresh profile (Playwright BrowserContext)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile_dir),
        executable_path=executable,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": width, "height": height},
        device_scale_factor=1,
        timeout=60_000,
    )
    context.set_default_timeout(30_000)
    return context


def write_widget_notebook(path: Path) -> Path:
    """A two-cell notebook: a sine curve redrawn by an ``interact_or_static`` slider."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Widget check\nA slider redraws the curve."),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "import numpy as np\n\n"
            "from rcot_lib.widgets import interact_or_static"
        ),
        nbformat.v4.new_code_cell(
            "def draw(freq: float = 1.0):\n"
            "    x = np.linspace(0.0, 2.0 * np.pi, 400)\n"
            "    fig, ax = plt.subplots(figsize=(5, 3))\n"
            "    ax.plot(x, np.sin(freq * x))\n"
            '    ax.set_title(f"sin({freq:.2f} x)")\n\n\n'
            "_ = interact_or_static(\n"
            '    draw, presets=[{"freq": 3.0}], freq=(0.5, 5.0, 0.25)\n'
            ")"
        ),
    ]
    nbformat.write(nb, path)
    return path


class LabNotebook:
    """One notebook open in JupyterLab in a Playwright page."""

    def __init__(self, page: Any, server: LabServer, name: str) -> None:
        self.page = page
        self.server = server
        self.name = name
        self.panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first

    # -- opening ---------------------------------------------------------------
    def open(self, timeout: float = 90.0) -> None:
        """Open the notebook and wait until its kernel is idle (dismissing dialogs)."""
        # A workspace of its own, reset: no tabs (and kernels) from an earlier page.
        workspace = re.sub(r"[^A-Za-z0-9_-]", "-", Path(self.name).stem)
        url = self.server.url(f"lab/workspaces/{workspace}/tree/{self.name}?reset")
        self.page.goto(url, wait_until="load")
        self.page.locator(".jp-NotebookPanel").first.wait_for(timeout=timeout * 1000)
        self.wait_kernel_idle(timeout)

    def dismiss_dialogs(self) -> None:
        """Accept "Select Kernel"; close any other dialog or notification."""
        dialogs = self.page.locator(".jp-Dialog")
        for _ in range(3):
            if not dialogs.count():
                break
            dialog = dialogs.first
            text = dialog.inner_text(timeout=5000)
            button = ".jp-mod-accept" if "kernel" in text.lower() else ".jp-mod-reject"
            try:
                dialog.locator(f".jp-Dialog-button{button}").first.click(timeout=5000)
            except Exception:  # the dialog went away by itself
                self.page.keyboard.press("Escape")
            self.page.wait_for_timeout(300)
        for close in self.page.locator(".jp-toast-dismiss").all():
            try:
                close.click(timeout=2000)
            except Exception:
                pass

    def kernel_status(self) -> str:
        indicator = self.panel.locator(".jp-Notebook-ExecutionIndicator")
        if not indicator.count():
            return ""
        return indicator.first.get_attribute("data-status") or ""

    def kernel_ready(self) -> bool:
        """The notebook has a session with an idle kernel and the page is connected."""
        try:
            sessions = self.server.api("api/sessions")
        except OSError:
            return False
        ready = any(
            s.get("path", "").endswith(self.name)
            and (s.get("kernel") or {}).get("execution_state") == "idle"
            and (s.get("kernel") or {}).get("connections", 0) >= 1
            for s in sessions
        )
        return ready and self.kernel_status() == "idle"

    def wait_kernel_idle(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        ready_since = None
        while time.monotonic() < deadline:
            self.dismiss_dialogs()
            if not self.kernel_ready():
                ready_since = None
            elif ready_since is None:
                ready_since = time.monotonic()
            elif time.monotonic() - ready_since > 1.5:  # settled, not a passing state
                return
            self.page.wait_for_timeout(500)
        raise TimeoutError(
            f"{self.name}: kernel not idle after {timeout:.0f} s "
            f"(status {self.kernel_status()!r})\n{self.server.log_tail()}"
        )

    # -- running ---------------------------------------------------------------
    def run_all(self, timeout: float = 150.0, attempts: int = 3) -> float:
        """Run > Run All Cells, then wait until every code cell has an execution count.

        The menu is used again when no cell has started after a while (a kernel
        that JupyterLab was still replacing drops the request). Returns the
        seconds the run took.
        """
        start = time.monotonic()
        deadline = start + timeout
        texts: list[str] = []
        for attempt in range(1, attempts + 1):
            self.dismiss_dialogs()
            self._menu_run_all()
            retry_at = time.monotonic() + 20.0
            while time.monotonic() < deadline:
                self.dismiss_dialogs()
                texts = self._prompts()
                started = any(re.search(r"\[(\*|\d+)\]", t) for t in texts)
                if self._finished(texts) or self.errors():
                    return time.monotonic() - start
                if not started and time.monotonic() > retry_at and attempt < attempts:
                    self.wait_kernel_idle(timeout=max(1.0, deadline - time.monotonic()))
                    break  # use the menu again
                self.page.wait_for_timeout(500)
            else:
                break
        raise TimeoutError(
            f"{self.name}: Run All Cells did not finish in {timeout:.0f} s; prompts "
            f"{texts}"
        )

    def _menu_run_all(self) -> None:
        self.page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        label = self.page.locator(".lm-Menu-itemLabel", has_text=RUN_ALL_LABEL)
        self.page.locator(".lm-Menu-item").filter(has=label).first.click()

    def _prompts(self) -> list[str]:
        return self.panel.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()

    def _finished(self, texts: list[str]) -> bool:
        numbered = all(re.fullmatch(r"\s*\[\d+\]:?\s*", t) for t in texts)
        return bool(texts) and numbered and self.kernel_status() == "idle"

    def errors(self) -> list[str]:
        """Error texts in the outputs: tracebacks, stderr errors, widget failures."""
        found = []
        outputs = self.panel.locator(f"{STDERR_OUTPUT}, .jp-OutputArea-output")
        for text in outputs.all_inner_texts():
            if ERROR_PATTERN.search(text) and text not in found:
                found.append(text[-1500:])
        return found

    # -- widgets ---------------------------------------------------------------
    def first_slider(self, timeout: float = 30.0) -> Any:
        slider = self.panel.locator(SLIDER).first
        slider.wait_for(state="visible", timeout=timeout * 1000)
        return slider

    def slider(self, label: str | None = None, nth: int = 0,
               timeout: float = 30.0) -> Any:
        """The ``nth`` slider labelled ``label`` (``None``: the first slider)."""
        if label is None:
            return self.first_slider(timeout)
        text = re.compile(rf"^\s*{re.escape(label)}\s*$")
        named = self.page.locator(".widget-label", has_text=text)
        slider = self.panel.locator(".widget-slider").filter(has=named).nth(nth)
        slider.wait_for(state="visible", timeout=timeout * 1000)
        return slider

    def widget_box(self, slider: Any) -> Any:
        """The interact box holding ``slider`` (controls and output together)."""
        return slider.locator(
            "xpath=ancestor::*[contains(concat(' ', normalize-space(@class), ' '),"
            " ' widget-interact ')][1]"
        )

    def plot(self, slider: Any, timeout: float = 30.0) -> Any:
        """The first plot image after ``slider``: in its interact box, else its cell."""
        box = self.widget_box(slider)
        if not box.count():
            box = slider.locator("xpath=ancestor::*[contains(@class, 'jp-Cell')][1]")
        img = box.locator(".jp-OutputArea-output img, .widget-output img, img").first
        img.wait_for(state="visible", timeout=timeout * 1000)
        return img

    def slider_value(self, slider: Any) -> str:
        readout = slider.locator(".widget-readout")
        if readout.count():
            return readout.first.inner_text().strip()
        return slider.locator(SLIDER_HANDLE).first.get_attribute("aria-valuenow") or ""

    def move_slider(self, slider: Any, presses: int = 4) -> None:
        """Focus the slider's handle and press ArrowRight (End when at the maximum)."""
        handle = slider.locator(SLIDER_HANDLE).first
        handle.scroll_into_view_if_needed()
        handle.focus()
        before = self.slider_value(slider)
        for _ in range(presses):
            handle.press("ArrowRight")
            self.page.wait_for_timeout(150)
        if self.slider_value(slider) == before:
            handle.press("Home" if _at_max(handle) else "End")

    def wait_plot_change(self, slider: Any, old_src: str, timeout: float = 60.0) -> str:
        """Wait until the plot's ``src`` differs from ``old_src`` and stops changing."""
        deadline = time.monotonic() + timeout
        last, stable_since = None, time.monotonic()
        while time.monotonic() < deadline:
            try:
                src = self.plot(slider, timeout=2).get_attribute("src") or ""
            except Exception:  # the output is being cleared and redrawn
                src = ""
            if src != last:
                last, stable_since = src, time.monotonic()
            settled = time.monotonic() - stable_since > 1.0
            if src and src != old_src and settled and self.kernel_status() == "idle":
                return src
            self.page.wait_for_timeout(250)
        raise TimeoutError(f"{self.name}: the plot did not change in {timeout:.0f} s")

    def hide_left_sidebar(self) -> None:
        """Collapse the file browser (View > Appearance > Show Left Sidebar, Ctrl+B)."""
        stack = self.page.locator("#jp-left-stack")
        if stack.count() and stack.first.is_visible():
            self.page.keyboard.press("Escape")
            self.page.keyboard.press("Control+b")
            self.page.wait_for_timeout(500)

    def scroll_to(self, element: Any, above: int = 140) -> None:
        """Scroll the notebook so ``element`` sits ``above`` pixels below the top."""
        element.evaluate(
            "(e, above) => { e.scrollIntoView({block: 'start'});"
            " const s = e.closest('.jp-WindowedPanel-outer')"
            " || e.closest('.jp-Notebook');"
            " if (s) s.scrollBy(0, -above); }",
            above,
        )
        self.page.wait_for_timeout(300)


def _at_max(handle: Any) -> bool:
    now, top = (
        handle.get_attribute("aria-valuenow"),
        handle.get_attribute("aria-valuemax"),
    )
    try:
        return float(now) >= float(top)
    except (TypeError, ValueError):
        return False


def save_screenshot(target: Any, path: Path, **kwargs: Any) -> Path:
    """Screenshot a page or element to ``path`` atomically (temporary file first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.partial.png")
    target.screenshot(path=str(tmp), **kwargs)
    os.replace(tmp, path)
    return path
