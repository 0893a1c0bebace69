"""Build the kit's HTML book: the six notebooks executed, the method and results pages.

``make book`` (``python -m rcot_lib.book``) lays out a copy of the sources in
``build/book/_src`` (the Sphinx configuration and intro page of ``docs/book/``,
``docs/method.md``, ``docs/results.md``, the teacher notes ``docs/teaching/*.md``
when that folder exists, and the numbered notebooks), executes the copied
notebooks headless with :func:`rcot_lib.notebooks.run_notebook` (the code path of
``rcot notebooks`` and of the notebook tests: ``RCOT_HEADLESS=1``, and
``RCOT_FAST=1`` in fast mode), then renders everything with Sphinx and MyST-NB
into ``build/book/``. ``notebooks/`` is only read.

An error in a notebook cell fails the build with a :class:`BookError` that names
the notebook and the cell, unless the cell is tagged ``raises-exception``. Cells
tagged ``solution`` are folded in the book (code cells get MyST-NB's
``hide-cell``; markdown cells a ``<details>`` block). Equations are typeset by a
copy of MathJax 3 (SVG output) placed in the book's ``_static/mathjax``, from the
``sphinx-mathjax-offline`` package: the book makes no network request.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rcot_lib.book_sources import (
    BOOK_CONF_DIR,
    DOCS_DIR,
    BookError,
    copy_mathjax,
    fold_solutions,
    mathjax_dir,
    prepare_sources,
)
from rcot_lib.environment import KIT_ROOT
from rcot_lib.notebooks import NOTEBOOKS_DIR, NotebookRun, list_notebooks

__all__ = [
    "BOOK_CONF_DIR", "DOCS_DIR", "DEFAULT_OUT", "MARKER", "BookBuild", "BookError",
    "build_book", "copy_mathjax", "execute_notebooks", "fold_solutions", "main",
    "mathjax_dir", "prepare_sources", "render",
]

DEFAULT_OUT = KIT_ROOT / "build" / "book"
#: Written into a finished book; only a folder holding it is emptied by a rebuild.
MARKER = ".rcot-book"
SOURCE_DIR = "_src"
#: where progress lines go (``print``, or a no-op in tests)
Log = Callable[[str], object]


@dataclass
class BookBuild:
    """A finished book."""

    out: Path
    fast: bool
    runs: list[NotebookRun] = field(default_factory=list)
    seconds_execute: float = 0.0
    seconds_render: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def index(self) -> Path:
        """The book's front page."""
        return self.out / "index.html"

    def page(self, source: str) -> Path:
        """The HTML page of a source path such as ``notebooks/02_ot_maps_toy2d``."""
        return self.out / f"{Path(source).with_suffix('')}.html"


def execute_notebooks(
    paths: Sequence[Path], *, fast: bool, timeout: int, log: Log = print
) -> list[NotebookRun]:
    """Run each notebook in place (headless); :class:`BookError` at the first error.

    A cell tagged ``raises-exception`` may raise (nbclient lets it); any other
    error names the notebook and the cell.
    """
    from rcot_lib.notebooks import run_notebook

    runs = []
    for path in paths:
        run = run_notebook(
            path,
            fast=fast,
            out_dir=path.parent,
            timeout=timeout,
            html=False,
            extra_env={"RCOT_FAST": "1" if fast else "0"},  # full: whatever the shell
        )
        runs.append(run)
        log(f"[book] {run.name}: {run.seconds:.1f} s, {'ok' if run.ok else 'FAILED'}")
        if not run.ok:
            raise BookError(
                f"notebook {run.error} (the executed copy, error output included: "
                f"{path})"
            )
        _drop_widget_state(path)
    return runs


def _drop_widget_state(path: Path) -> None:
    """Remove stored widget state: the book shows static figures, no widget manager."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    if nb.metadata.pop("widgets", None) is not None:
        nbformat.write(nb, path)


_WARNING = re.compile(r"\b(WARNING|ERROR|CRITICAL)\b")


def render(src: Path, out: Path, doctrees: Path) -> list[str]:
    """Run Sphinx (HTML builder) on ``src`` into ``out``; its warnings."""
    src, out, doctrees = (Path(p).resolve() for p in (src, out, doctrees))
    log = out / "sphinx.log"
    doctrees.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "sphinx", "-b", "html", "-E", "-q",
        "-d", str(doctrees), str(src), str(out),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONHASHSEED"] = "0"
    proc = subprocess.run(
        cmd, cwd=src, env=env, capture_output=True, text=True, check=False
    )
    log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise BookError(f"Sphinx failed (exit code {proc.returncode}):\n{tail}")
    return [ln for ln in proc.stderr.splitlines() if _WARNING.search(ln)]


def _clear(out: Path) -> None:
    """Empty ``out`` when it is a previous book (or empty); refuse any other folder."""
    if not out.exists():
        return
    if not out.is_dir():
        raise BookError(f"{out} exists and is not a folder")
    if any(out.iterdir()) and not (out / MARKER).exists():
        raise BookError(
            f"{out} is not empty and holds no previous book ({MARKER}): "
            "choose another folder or empty it"
        )
    shutil.rmtree(out)


def build_book(
    out: str | os.PathLike = DEFAULT_OUT,
    *,
    fast: bool = False,
    notebooks: Sequence[str | os.PathLike] | None = None,
    conf_dir: str | os.PathLike = BOOK_CONF_DIR,
    docs_dir: str | os.PathLike = DOCS_DIR,
    timeout: int = 1800,
    log: Log = print,
) -> BookBuild:
    """Execute the notebooks and build the HTML book in ``out``.

    Parameters
    ----------
    out : path
        Output folder (``build/book``); a previous book there is replaced.
    fast : bool
        Run the notebooks in fast mode (``RCOT_FAST=1``).
    notebooks : paths, optional
        Notebooks to include; default: the numbered ones of ``notebooks/``.
    conf_dir, docs_dir : path
        The Sphinx configuration folder and the folder of the method, results and
        teaching pages.
    timeout : int
        Seconds one cell may run.

    Raises
    ------
    BookError
        A notebook cell raised (the message names the notebook and the cell), or
        Sphinx failed.
    """
    out = Path(out).resolve()
    paths = (
        [Path(p) for p in notebooks]
        if notebooks is not None
        else list_notebooks(NOTEBOOKS_DIR)
    )
    if not paths:
        raise BookError(f"no notebooks to build a book from ({NOTEBOOKS_DIR})")
    _clear(out)
    src = out / SOURCE_DIR
    src.mkdir(parents=True)
    (out / MARKER).write_text("", encoding="utf-8")  # a rebuild may replace it
    build = BookBuild(out=out, fast=fast)
    copies = prepare_sources(
        src, paths, fast=fast, conf_dir=Path(conf_dir), docs_dir=Path(docs_dir)
    )
    log(f"[book] executing {len(copies)} notebooks ({'fast' if fast else 'full'} mode)")
    t0 = time.perf_counter()
    build.runs = execute_notebooks(copies, fast=fast, timeout=timeout, log=log)
    build.seconds_execute = time.perf_counter() - t0
    log("[book] rendering with Sphinx")
    t0 = time.perf_counter()
    build.warnings = render(src, out, out / ".doctrees")
    build.seconds_render = time.perf_counter() - t0
    (out / MARKER).write_text(
        f"fast={int(fast)} built={time.strftime('%Y-%m-%dT%H:%M:%S')}\n",
        encoding="utf-8",
    )
    for line in build.warnings:
        log(f"[book] {line}")
    log(
        f"[book] {build.index} ({build.seconds_execute:.0f} s executing, "
        f"{build.seconds_render:.0f} s rendering, {len(build.warnings)} warnings)"
    )
    return build


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m rcot_lib.book [--fast] [--out build/book]``."""
    parser = argparse.ArgumentParser(
        prog="python -m rcot_lib.book",
        description="Execute the notebooks headless and build the offline HTML book.",
    )
    parser.add_argument(
        "--fast", action="store_true", help="run the notebooks in fast mode"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (build/book)"
    )
    parser.add_argument(
        "--timeout", type=int, default=1800, help="seconds one cell may run"
    )
    args = parser.parse_args(argv)
    try:
        build_book(args.out, fast=args.fast, timeout=args.timeout)
    except BookError as exc:
        print(f"[book] FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
