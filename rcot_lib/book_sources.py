r"""The sources of the kit's HTML book, laid out for Sphinx (see :mod:`rcot_lib.book`).

:func:`prepare_sources` copies the Sphinx configuration and intro page of
``docs/book/``, ``docs/method.md``, ``docs/results.md``, the teacher notes
``docs/teaching/*.md`` and the numbered notebooks into one folder that mirrors the
repository, so that the links between pages hold; the exercise solutions are folded
(:func:`fold_solutions`) and a copy of MathJax 3 (SVG output, from the
``sphinx-mathjax-offline`` package) is placed in ``_static/mathjax``, so that the
book typesets its equations without a network.
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rcot_lib.environment import KIT_ROOT
from rcot_lib.notebooks import SOLUTION_TAG

#: Sphinx configuration, intro page and static files of the book.
BOOK_CONF_DIR = KIT_ROOT / "docs" / "book"
#: The pages the book shows besides the notebooks (and ``teaching/`` if present).
DOCS_DIR = KIT_ROOT / "docs"
#: Pages of ``docs/`` in the book, in order (each one only if it exists).
DOC_PAGES = ("method.md", "results.md")
#: The parts of MathJax 3.2 the book needs: the TeX-to-SVG component and what it
#: loads on demand (TeX extensions, the menu, the accessibility modules).
MATHJAX_PARTS = ("tex-svg.js", "input", "a11y", "ui", "sre", "adaptors")
_BUILD_NOTE = "<!-- build-note -->"
_CONTENTS = "<!-- contents -->"


class BookError(RuntimeError):
    """The book could not be built; the message says which notebook, cell or page."""


def mathjax_dir() -> Path:
    """MathJax 3 as bundled by the ``sphinx-mathjax-offline`` package."""
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise BookError(
            "MathJax for offline use not found: pip install sphinx-mathjax-offline "
            "(part of the kit's dev dependencies: pip install -e '.[dev]')"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"
    if not (folder / MATHJAX_PARTS[0]).is_file():
        raise BookError(f"{folder / MATHJAX_PARTS[0]} is missing")
    return folder


def copy_mathjax(target: Path) -> Path:
    """Copy the parts of MathJax the book loads into ``target`` (its ``_static``)."""
    source = mathjax_dir()
    target.mkdir(parents=True, exist_ok=True)
    for part in MATHJAX_PARTS:
        path = source / part
        if path.is_dir():
            shutil.copytree(path, target / part, dirs_exist_ok=True)
        elif path.is_file():
            shutil.copy2(path, target / part)
    return target


def fold_solutions(nb: Any) -> int:
    """Fold the cells tagged ``solution`` of a notebook node in place; their count.

    A code cell gets MyST-NB's ``hide-cell`` tag (input and output behind a
    *Show solution* toggle); a markdown cell is wrapped in a ``<details>`` block.
    """
    count = 0
    for cell in nb.cells:
        tags = list(cell.metadata.get("tags", []))
        if SOLUTION_TAG not in tags:
            continue
        count += 1
        if cell.cell_type == "code":
            if "hide-cell" not in tags:
                cell.metadata["tags"] = [*tags, "hide-cell"]
            prompts = cell.metadata.setdefault("mystnb", {})
            prompts.setdefault("code_prompt_show", "Show solution")
            prompts.setdefault("code_prompt_hide", "Hide solution")
        elif cell.cell_type == "markdown":
            cell.source = (
                '<details class="rcot-solution">\n<summary>Show solution</summary>\n\n'
                f"{cell.source.strip()}\n\n</details>"
            )
    return count


def _toctree(caption: str, entries: Sequence[str]) -> str:
    """A MyST ``toctree`` block with a caption."""
    lines = ["```{toctree}", f":caption: {caption}", ":maxdepth: 1", ""]
    return "\n".join([*lines, *entries, "```", ""])


def _teaching_pages(folder: Path) -> list[Path]:
    """``docs/teaching/*.md``, an index or README first, the rest by name."""
    pages = sorted(folder.glob("*.md"))
    first = [p for p in pages if p.stem.lower() in ("index", "readme")]
    return first + [p for p in pages if p not in first]


def prepare_sources(
    src: Path,
    notebooks: Sequence[Path],
    *,
    fast: bool,
    conf_dir: Path = BOOK_CONF_DIR,
    docs_dir: Path = DOCS_DIR,
) -> list[Path]:
    """Lay out the book's sources in ``src``; the copied notebooks, in order.

    The layout mirrors the repository (``docs/method.md``, ``notebooks/NN_*.ipynb``)
    so that the links between pages (``../docs/method.md`` in a notebook) hold.
    The intro page gets a note on the build mode and the table of contents.
    """
    import nbformat

    if not (conf_dir / "conf.py").is_file():
        raise BookError(f"{conf_dir / 'conf.py'} not found")
    shutil.copytree(
        conf_dir,
        src,
        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
        dirs_exist_ok=True,
    )
    copy_mathjax(src / "_static" / "mathjax")
    (src / "docs").mkdir(parents=True, exist_ok=True)
    pages = []
    for name in DOC_PAGES:
        if (docs_dir / name).is_file():
            shutil.copy2(docs_dir / name, src / "docs" / name)
            pages.append(f"docs/{Path(name).stem}")
    if (docs_dir / "img").is_dir():  # pictures the pages may show
        shutil.copytree(docs_dir / "img", src / "docs" / "img", dirs_exist_ok=True)
    teaching = []
    if (docs_dir / "teaching").is_dir():
        shutil.copytree(
            docs_dir / "teaching",
            src / "docs" / "teaching",
            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
            dirs_exist_ok=True,
        )
        teaching = [
            f"docs/teaching/{p.stem}" for p in _teaching_pages(docs_dir / "teaching")
        ]
        for page in (src / "docs" / "teaching").glob("*.md"):  # the README is the
            text = page.read_text(encoding="utf-8")  # book's front page here
            page.write_text(text.replace("](../../README.md)", "](../../index.md)"),
                            encoding="utf-8")
    (src / "notebooks").mkdir(parents=True, exist_ok=True)
    copies = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        fold_solutions(nb)
        copy = src / "notebooks" / path.name
        nbformat.write(nb, copy)
        copies.append(copy)
        pair = path.with_suffix(".py")  # the py:percent pair, a download in the book
        if pair.is_file():
            shutil.copy2(pair, copy.with_suffix(".py"))

    contents = _toctree("The method", pages) if pages else ""
    contents += "\n" + _toctree("Notebooks", [f"notebooks/{p.stem}" for p in copies])
    if teaching:
        contents += "\n" + _toctree("Teacher notes", teaching)
    mode = (
        "fast mode (`RCOT_FAST=1`: smaller problems and fewer training steps than "
        "the full notebooks)"
        if fast
        else "full mode"
    )
    note = (
        f"```{{note}}\nThe notebooks of this copy of the book ran in {mode}, "
        f"headless, on {time.strftime('%Y-%m-%d')}.\n```\n"
    )
    index = src / "index.md"
    text = index.read_text(encoding="utf-8")
    text = text.replace(_BUILD_NOTE, note) if _BUILD_NOTE in text else text + note
    if _CONTENTS in text:
        text = text.replace(_CONTENTS, contents)
    else:
        text += "\n" + contents
    index.write_text(text, encoding="utf-8")
    return copies
