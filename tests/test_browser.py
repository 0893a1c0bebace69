"""The notebooks as readers use them: JupyterLab and live widgets in a real browser.

Headless execution (``tests/test_notebooks.py``) proves that the cells run, not
that a widget renders or that moving it redraws the plot. Here a JupyterLab
server runs on 127.0.0.1 (kernels in fast mode, widgets live), Debian's
Chromium opens a notebook through Playwright, runs Run > Run All Cells, checks
that no output holds an error, presses ArrowRight on the first slider and waits
for the plot to change.

Screenshots (plot before and after, the whole window) go to ``build/browser/``
or ``$RCOT_BROWSER_ARTEFACTS``; with ``RCOT_SCREENSHOT_DIR`` set, the window
with notebook 02's widget is also saved there as ``jupyterlab_widget.png``
(the README's picture: ``RCOT_SCREENSHOT_DIR=docs/img pytest -m browser``).

Skipped, with the reason, where Playwright or Chromium cannot be found
(``scripts/setup.sh`` installs Chromium when run as root).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from _jupyter import (  # tests/_jupyter.py
    SLIDER,
    LabNotebook,
    LabServer,
    find_chromium,
    launch_chromium,
    save_screenshot,
    write_widget_notebook,
)

from rcot_lib.config import KIT_ROOT

pytestmark = pytest.mark.browser

NOTEBOOKS = KIT_ROOT / "notebooks"
ARTEFACTS = Path(
    os.environ.get("RCOT_BROWSER_ARTEFACTS") or KIT_ROOT / "build" / "browser"
)
GENERATED = "widget_check.ipynb"
README_SHOT = "jupyterlab_widget.png"


@dataclass(frozen=True)
class Case:
    notebook: str
    needs_slider: bool = True  # False: move the slider only when the notebook has one
    readme_shot: bool = False  # the README's "What you will see" picture

    def __str__(self) -> str:
        return self.notebook.removesuffix(".ipynb")


CASES = [
    Case(GENERATED),
    Case("02_ot_maps_toy2d.ipynb", readme_shot=True),
    Case("03_fourier_residual_sparsity.ipynb"),
]


def _param(case: Case):
    missing = case.notebook != GENERATED and not (NOTEBOOKS / case.notebook).is_file()
    reason = f"notebooks/{case.notebook} does not exist"
    return pytest.param(
        case, id=str(case), marks=pytest.mark.skipif(missing, reason=reason)
    )


@pytest.fixture(scope="module")
def chromium() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        reason = f"Playwright for Python cannot be imported ({exc})"
        pytest.skip(f"{reason}: pip install -e '.[dev]'")
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed")
    path = find_chromium()
    if path is None:
        pytest.skip(
            "Chromium not found (/usr/bin/chromium, chromium on PATH, $RCOT_CHROMIUM): "
            "run scripts/setup.sh as root or install Debian's chromium"
        )
    return path


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory) -> Path:
    """A copy of ``notebooks/`` (kernels and saves write there) and a check notebook."""
    kit = tmp_path_factory.mktemp("kit")
    root = kit / "notebooks"
    if NOTEBOOKS.is_dir():
        shutil.copytree(
            NOTEBOOKS,
            root,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
    root.mkdir(exist_ok=True)
    samples = KIT_ROOT / "data_samples"
    if samples.is_dir():  # for notebooks that reach ../data_samples
        (kit / "data_samples").symlink_to(samples, target_is_directory=True)
    write_widget_notebook(root / GENERATED)
    return root


@pytest.fixture(scope="module")
def lab_server(chromium, lab_root, tmp_path_factory):
    """JupyterLab on 127.0.0.1 with a random token; always stopped afterwards."""
    server = LabServer(lab_root, tmp_path_factory.mktemp("jupyter-home"))
    try:
        yield server.start(timeout=90)
    finally:
        server.stop()
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(server.log_path, ARTEFACTS / "jupyterlab.log")


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    """A headless Chromium context (fresh profile) driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = launch_chromium(
            pw, tmp_path_factory.mktemp("chromium-profile"), chromium
        )
        try:
            yield context
        finally:
            context.close()


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_widget_redraws_plot_in_jupyterlab(case: Case, lab_server, browser):
    stem = str(case)
    page = browser.new_page()
    nb = LabNotebook(page, lab_server, case.notebook)
    try:
        t0 = time.monotonic()
        nb.open(timeout=90)
        t_open = time.monotonic() - t0
        t_run = nb.run_all(timeout=150)
        assert not nb.errors(), f"{case.notebook}: error output:\n" + "\n---\n".join(
            nb.errors()
        )
        if not case.needs_slider and not nb.panel.locator(SLIDER).count():
            save_screenshot(page, ARTEFACTS / f"{stem}_lab.png")
            print(f"{case.notebook}: open {t_open:.1f} s, Run All {t_run:.1f} s")
            return
        slider = nb.first_slider()
        img = nb.plot(slider)
        before_src = img.get_attribute("src") or ""
        before_value = nb.slider_value(slider)
        before_png = save_screenshot(img, ARTEFACTS / f"{stem}_plot_before.png")

        t1 = time.monotonic()
        nb.move_slider(slider)
        after_value = nb.slider_value(slider)
        assert after_value != before_value, "the slider did not move with the keyboard"
        after_src = nb.wait_plot_change(slider, before_src, timeout=60)
        t_redraw = time.monotonic() - t1
        assert after_src != before_src
        after_png = save_screenshot(
            nb.plot(slider), ARTEFACTS / f"{stem}_plot_after.png"
        )
        assert after_png.read_bytes() != before_png.read_bytes(), (
            "plot pixels unchanged"
        )
        assert not nb.errors(), "moving the slider gave an error:\n" + "\n".join(
            nb.errors()
        )

        if case.readme_shot:
            nb.hide_left_sidebar()
        box = nb.widget_box(slider)
        nb.scroll_to(box if box.count() else slider, above=110)
        page.mouse.move(0, 0)  # no hover highlight in the picture
        shot = save_screenshot(page, ARTEFACTS / f"{stem}_lab.png")
        target = os.environ.get("RCOT_SCREENSHOT_DIR")
        if case.readme_shot and target:
            Path(target).mkdir(parents=True, exist_ok=True)
            _publish(shot, Path(target) / README_SHOT)
        print(
            f"{case.notebook}: open {t_open:.1f} s, Run All {t_run:.1f} s, "
            f"slider {before_value} -> {after_value}, plot redrawn in {t_redraw:.1f} s"
        )
    except BaseException:
        try:
            save_screenshot(page, ARTEFACTS / f"{stem}_failure.png")
        except Exception:  # the page itself is gone
            pass
        raise
    finally:
        page.close()
        lab_server.shutdown_sessions()  # free the CPU for the next notebook


def _publish(shot: Path, target: Path, max_bytes: int = 300_000) -> Path:
    """Copy a screenshot for the docs; palette PNG (256 colours) when it is too big."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.partial")
    if shot.stat().st_size <= max_bytes:
        shutil.copyfile(shot, tmp)
    else:
        from PIL import Image

        with Image.open(shot) as img:
            small = img.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
            small.save(tmp, format="PNG", optimize=True)
    os.replace(tmp, target)
    return target
