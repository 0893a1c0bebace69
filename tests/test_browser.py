"""The notebooks as readers use them: JupyterLab and live widgets in a real browser.

Headless execution (``tests/test_notebooks.py``) proves that the cells run, not
that a widget renders or that moving it redraws the plot. Here a JupyterLab
server runs on 127.0.0.1 (kernels in fast mode, widgets live), Debian's
Chromium opens a notebook through Playwright, runs Run > Run All Cells, checks
that no output holds an error, presses ArrowRight on a slider (the first one, or
the ones a case names by their label: the cost-norm controls ``p`` and ``lam`` of
notebooks 01-03) and waits for that widget's plot to change.

Screenshots (plot before and after, the whole window) go to ``build/browser/``
or ``$RCOT_BROWSER_ARTEFACTS``; with ``RCOT_SCREENSHOT_DIR`` set, the window
with notebook 02's widget is also saved there as ``jupyterlab_widget.png``
(the README's picture: ``RCOT_SCREENSHOT_DIR=docs/img pytest -m browser``), as
are the revealed solution of notebook 03 and the book's notebook-02 page.

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
    readme_shot: bool = False  # the README's "What you will see" picture (first slider)
    #: sliders to move, in order, as (label, k): the k-th slider labelled so;
    #: empty: the notebook's first slider
    sliders: tuple[tuple[str, int], ...] = ()

    def __str__(self) -> str:
        return self.notebook.removesuffix(".ipynb")


CASES = [
    Case(GENERATED),
    # the cost lab of section 7: p over the whole family
    Case("01_dual_ot_derivation.ipynb", sliders=(("p", 0), ("lam", 0))),
    # Sinkhorn's reg (the README picture), then p of the exact-plan residual widget
    Case("02_ot_maps_toy2d.ipynb", readme_shot=True, sliders=(("reg", 0), ("p", 0))),
    # the explorer's level, p of the cost-terms widget, p of the pairing widget
    Case(
        "03_fourier_residual_sparsity.ipynb",
        sliders=(("level", 0), ("p", 0), ("p", 1)),
    ),
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
        controls = case.sliders or ((None, 0),)
        moved = [
            _move_and_check(nb, nb.slider(label, k), f"{stem}_{label or 'first'}{k}")
            for label, k in controls
        ]
        slider = nb.slider(*controls[0])  # the widget of the screenshot
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
        print(f"{case.notebook}: open {t_open:.1f} s, Run All {t_run:.1f} s, " +
              "; ".join(moved))
    except BaseException:
        _save_failure(page, f"{stem}_failure.png")
        raise
    finally:
        page.close()
        lab_server.shutdown_sessions()  # free the CPU for the next notebook


def _save_failure(page, name: str) -> None:
    """Keep a screenshot of a failing page in the artefacts, if the page is alive."""
    try:
        save_screenshot(page, ARTEFACTS / name)
    except Exception:  # the page itself is gone
        pass


def _move_and_check(nb: LabNotebook, slider, name: str) -> str:
    """Move ``slider``, wait for its widget's plot to change; a line for the log."""
    img = nb.plot(slider)
    before_src = img.get_attribute("src") or ""
    before_value = nb.slider_value(slider)
    before_png = save_screenshot(img, ARTEFACTS / f"{name}_plot_before.png")
    t1 = time.monotonic()
    nb.move_slider(slider)
    after_value = nb.slider_value(slider)
    assert after_value != before_value, f"{name}: the slider did not move"
    after_src = nb.wait_plot_change(slider, before_src, timeout=60)
    t_redraw = time.monotonic() - t1
    assert after_src != before_src
    after_png = save_screenshot(nb.plot(slider), ARTEFACTS / f"{name}_plot_after.png")
    assert after_png.read_bytes() != before_png.read_bytes(), (
        f"{name}: plot pixels unchanged"
    )
    assert not nb.errors(), f"{name}: moving the slider gave an error:\n" + "\n".join(
        nb.errors()
    )
    return f"{name} {before_value} -> {after_value}, redrawn in {t_redraw:.1f} s"


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


#: the book's picture for the docs (notebook 02's page, an equation and a plot)
BOOK_SHOT = "book_02.png"
#: the top of the section of a page with the most equations near its heading and
#: a plot close enough to share a window with them
_SECTION_WITH_MATH_AND_PLOT = """() => {
  const top = (e) => e.getBoundingClientRect().top + window.scrollY;
  const maths = [...document.querySelectorAll("mjx-container")].map(top);
  const plots = [...document.querySelectorAll(".cell_output img")].map(top);
  let best = null, most = 0;
  for (const h of document.querySelectorAll("section > h2")) {
    const y = top(h);
    const near = maths.filter((m) => m > y && m < y + 500).length;
    if (near > most && plots.some((p) => p > y && p < y + 650)) {
      best = y;
      most = near;
    }
  }
  return best ?? (plots.length ? Math.max(0, plots[0] - 500) : 0);
}"""


def _typeset(page) -> None:
    """Wait until MathJax (the book's own copy) has typeset the page."""
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
        timeout=30_000,
    )
    page.evaluate("() => MathJax.startup.promise.then(() => true)")


@pytest.mark.slow
def test_book_pages_render_math_offline(chromium, browser, tmp_path_factory):
    r"""The book's front page and notebook 02's page in Chromium, network blocked.

    The book is built in fast mode (``tests/_book.py``, shared with
    ``tests/test_book.py``) and opened from ``file://``; every request that is not
    a local file is refused and recorded. Each page must have its title, every
    equation typeset by MathJax (no raw ``\(...\)`` left, no MathJax error), and
    notebook 02's page its plots. The window of notebook 02's page with an
    equation and a plot is saved as ``book_02.png`` (also in
    ``$RCOT_SCREENSHOT_DIR`` when set: ``RCOT_SCREENSHOT_DIR=docs/img``).
    """
    import nbformat
    from _book import fast_book  # tests/_book.py

    book = fast_book(tmp_path_factory)
    outside: list[str] = []

    def local_only(route) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    nb02 = NOTEBOOKS / "02_ot_maps_toy2d.ipynb"
    pages = [("index", "rcot-kit: optimal-transport image restoration")]
    if nb02.is_file():
        first = nbformat.read(nb02, as_version=4).cells[0].source.splitlines()[0]
        pages.append((f"notebooks/{nb02.stem}", first.lstrip("# ").strip()))
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.route("**/*", local_only)
    try:
        for source, title in pages:
            page.goto(book.page(source).as_uri(), wait_until="load")
            _typeset(page)
            assert page.title().startswith(title), f"{source}: title {page.title()!r}"
            assert page.title().endswith("rcot-kit")
            n_math = page.locator(".math").count()
            assert n_math, f"{source}: no equation on the page"
            assert page.locator("mjx-container svg").count() >= n_math, (
                f"{source}: not every equation was typeset"
            )
            assert not page.locator("mjx-merror").count(), f"{source}: TeX error"
            raw = page.evaluate(
                "() => [...document.querySelectorAll('.math')]"
                ".filter(e => /\\\\[([]/.test(e.textContent)).length"
            )
            assert raw == 0, f"{source}: {raw} equations left as raw TeX"
            if source == "index":
                links = page.locator(".bd-sidebar-primary a[href^='notebooks/']")
                assert links.count() == len(list(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))
        if len(pages) > 1:
            plots = page.locator(".cell_output img")
            assert plots.count(), "notebook 02's page shows no plot"
            loaded = page.evaluate(
                "() => [...document.querySelectorAll('.cell_output img')]"
                ".every(i => i.complete && i.naturalWidth > 0)"
            )
            assert loaded, "a plot of notebook 02's page did not load"
            y = page.evaluate(_SECTION_WITH_MATH_AND_PLOT)
            page.evaluate(f"window.scrollTo(0, {max(0, y - 60)})")
            page.mouse.move(0, 0)
            page.wait_for_timeout(300)
            shot = save_screenshot(page, ARTEFACTS / BOOK_SHOT)
            target = os.environ.get("RCOT_SCREENSHOT_DIR")
            if target:
                _publish(shot, Path(target) / BOOK_SHOT)
        assert not outside, f"the book asked the network for {outside}"
    except BaseException:
        _save_failure(page, "book_failure.png")
        raise
    finally:
        page.close()


#: the README's picture of a revealed solution (notebook 03, exercise 2)
SOLUTION_SHOT = "solution_revealed.png"
SOLUTION_NOTEBOOK = "03_fourier_residual_sparsity.ipynb"


@pytest.mark.skipif(not (NOTEBOOKS / SOLUTION_NOTEBOOK).is_file(),
                    reason=f"notebooks/{SOLUTION_NOTEBOOK} does not exist")
def test_a_solution_stays_folded_until_a_student_opens_it(lab_server, browser):
    """After Run All, exercise 2's solution cell of notebook 03 shows only its
    folded first line; a click reveals its code and the self-check says "correct".
    The window is saved as ``solution_revealed.png`` (``$RCOT_SCREENSHOT_DIR``)."""
    page = browser.new_page()
    nb = LabNotebook(page, lab_server, SOLUTION_NOTEBOOK)
    try:
        nb.open(timeout=90)
        nb.run_all(timeout=150)
        assert not nb.errors(), "\n---\n".join(nb.errors())
        cells = nb.panel.locator(".jp-CodeCell").filter(
            has_text="Solution to exercise 2")
        scroller = nb.panel.locator(".jp-WindowedPanel-outer").first
        for _ in range(60):  # the notebook renders the cells near the view only
            if cells.count():
                break
            scroller.evaluate("e => e.scrollBy(0, e.clientHeight * 0.8)")
            page.wait_for_timeout(200)
        assert cells.count() == 1, "no code cell holds exercise 2's solution"
        cell = cells.first
        assert cell.locator(".jp-InputPlaceholder").count() == 1, "it is not folded"
        assert not cell.locator(".jp-InputArea-editor").is_visible()
        cell.locator(".jp-InputPlaceholder").first.click()
        code = cell.locator(".jp-InputArea-editor")
        code.wait_for(state="visible", timeout=10_000)
        assert "def l1_l2_ratio" in code.inner_text()
        assert "correct:" in cell.locator(".jp-OutputArea").inner_text()
        nb.hide_left_sidebar()
        nb.scroll_to(cell, above=260)
        page.mouse.move(0, 0)
        shot = save_screenshot(page, ARTEFACTS / "03_solution_revealed.png")
        target = os.environ.get("RCOT_SCREENSHOT_DIR")
        if target:
            _publish(shot, Path(target) / SOLUTION_SHOT)
    except BaseException:
        _save_failure(page, "03_solution_failure.png")
        raise
    finally:
        page.close()
        lab_server.shutdown_sessions()
