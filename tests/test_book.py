"""The HTML book of ``make book``: every page, executed outputs, offline math.

The book of the six notebooks is built once in fast mode (``tests/_book.py``, shared
with the browser test); small synthetic notebooks check that an error cell fails
the build with the notebook and the cell named, that a cell tagged
``raises-exception`` may raise, and that cells tagged ``solution`` are folded.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from _book import fast_book  # tests/_book.py

from rcot_lib.book import (
    MARKER,
    BookError,
    build_book,
    fold_solutions,
    mathjax_dir,
)
from rcot_lib.notebooks import list_notebooks

NOTEBOOKS = list_notebooks()
#: tags that make a browser fetch something (the attribute holds the address)
FETCHING = re.compile(
    r"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc=[\"']([^\"']+)"
    r"|<link\b[^>]*\bhref=[\"']([^\"']+)[^>]*>",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return fast_book(tmp_path_factory)


def _notebook(path: Path, cells: list) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = cells
    nbformat.write(nb, path)
    return path


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_book_links_resolve_without_sphinx_warnings(book):
    """Every cross-reference of the pages resolves inside the book (the teacher
    notes' link to the README lands on the book's front page)."""
    assert book.warnings == []
    notes = _read(book.page("docs/teaching/README"))
    assert 'href="../../index.html"' in notes


@pytest.mark.slow
def test_book_has_every_page(book):
    assert book.index.is_file()
    assert (book.out / MARKER).is_file()
    for source in ("docs/method", "docs/results"):
        assert book.page(source).is_file(), f"{source}.html missing"
    index = _read(book.index)
    for path in NOTEBOOKS:
        page = book.page(f"notebooks/{path.stem}")
        assert page.is_file(), f"no page for {path.name}"
        assert f'href="notebooks/{path.stem}.html"' in index, (
            f"{path.stem} is not in the table of contents"
        )
    assert 'href="docs/method.html"' in index
    assert [r.name for r in book.runs] == [p.name for p in NOTEBOOKS]
    assert all(r.ok for r in book.runs)


@pytest.mark.slow
def test_notebook_pages_hold_executed_outputs(book):
    for path in NOTEBOOKS:
        html = _read(book.page(f"notebooks/{path.stem}"))
        assert "cell_output" in html, f"{path.stem}: no cell output in the page"
    page = book.page("notebooks/02_ot_maps_toy2d")
    if not page.is_file():
        pytest.skip("notebook 02 is not part of the kit")
    images = re.findall(r'<img[^>]*src="([^"]+\.png)"', _read(page))
    assert images, "notebook 02's page shows no plot"
    for src in images:
        assert (page.parent / src).resolve().is_file(), f"{src} missing"


@pytest.mark.slow
def test_math_is_typeset_by_the_bundled_mathjax(book):
    for source in ("index", "docs/method", "notebooks/02_ot_maps_toy2d"):
        page = book.page(source)
        if not page.is_file():
            continue
        html = _read(page)
        assert 'class="math notranslate nohighlight"' in html, f"{source}: no math"
        scripts = re.findall(r'<script[^>]*src="([^"?]*mathjax[^"?]*)', html)
        assert scripts, f"{source}: MathJax is not loaded"
        for src in scripts:
            assert not re.match(r"(https?:)?//", src), f"{source}: MathJax from {src}"
            assert (page.parent / src).resolve().is_file(), f"{source}: {src} missing"
    assert (book.out / "_static" / "mathjax" / "tex-svg.js").is_file()
    assert (mathjax_dir() / "tex-svg.js").is_file()


@pytest.mark.slow
def test_no_page_fetches_from_a_network(book):
    pages = [p for p in book.out.rglob("*.html") if "_src" not in p.parts]
    assert len(pages) >= len(NOTEBOOKS) + 3
    for page in pages:
        html = _read(page)
        for match in FETCHING.finditer(html):
            address = match.group(1) or match.group(2)
            tag = match.group(0)
            if tag.lower().startswith("<link") and re.search(
                r'rel="(?:index|search|next|prev|canonical)"', tag
            ):
                continue  # navigation links, not fetched
            assert not re.match(r"(https?:)?//", address), (
                f"{page.relative_to(book.out)} fetches {address}"
            )


def test_fold_solutions_marks_code_and_markdown_cells():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]}),
        nbformat.v4.new_markdown_cell(
            "The answer is $x = 1$.", metadata={"tags": ["solution"]}
        ),
        nbformat.v4.new_code_cell("y = 2"),
    ]
    assert fold_solutions(nb) == 2
    assert nb.cells[0].metadata["tags"] == ["solution", "hide-cell"]
    assert nb.cells[0].metadata["mystnb"]["code_prompt_show"] == "Show solution"
    assert nb.cells[1].source.startswith('<details class="rcot-solution">')
    assert "$x = 1$" in nb.cells[1].source
    assert "tags" not in nb.cells[2].metadata


def test_a_folder_that_is_not_a_book_is_left_alone(tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("mine", encoding="utf-8")
    nb = _notebook(tmp_path / "01_x.ipynb", [nbformat.v4.new_code_cell("1")])
    with pytest.raises(BookError, match="holds no previous book"):
        build_book(tmp_path, notebooks=[nb], log=lambda _: None)
    assert keep.read_text(encoding="utf-8") == "mine"


@pytest.mark.slow
def test_an_error_cell_fails_the_build_naming_notebook_and_cell(tmp_path):
    path = _notebook(
        tmp_path / "99_broken.ipynb",
        [
            nbformat.v4.new_markdown_cell("# Broken"),
            nbformat.v4.new_code_cell("1 / 0", metadata={"tags": ["raises-exception"]}),
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell("raise ValueError('bad level')"),
        ],
    )
    out = tmp_path / "book"
    with pytest.raises(BookError) as info:
        build_book(out, fast=True, notebooks=[path], log=lambda _: None)
    message = str(info.value)
    assert "99_broken.ipynb" in message
    assert "cell 3" in message and "ValueError: bad level" in message
    assert "raise ValueError" in message  # the cell's first line
    assert not (out / "index.html").exists()
    assert not nbformat.read(path, as_version=4).cells[3].outputs  # source untouched


@pytest.mark.slow
def test_small_book_folds_solutions_and_allows_raises_exception(tmp_path):
    path = _notebook(
        tmp_path / "01_small.ipynb",
        [
            nbformat.v4.new_markdown_cell("# 01 · Small\n\nA map $T(x) = x + r$."),
            nbformat.v4.new_code_cell(
                "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()"
            ),
            nbformat.v4.new_code_cell(
                "raise KeyError('expected')", metadata={"tags": ["raises-exception"]}
            ),
            nbformat.v4.new_markdown_cell("## Exercises\n\n1. Why?"),
            nbformat.v4.new_markdown_cell(
                "Because $\\|r\\|_1$ is sparse.", metadata={"tags": ["solution"]}
            ),
            nbformat.v4.new_code_cell(
                "answer = 42\nprint('solution', answer)",
                metadata={"tags": ["solution"], "jupyter": {"source_hidden": True}},
            ),
        ],
    )
    build = build_book(
        tmp_path / "book", fast=True, notebooks=[path], log=lambda _: None
    )
    html = _read(build.page("notebooks/01_small"))
    assert "KeyError" in html  # the expected error is shown, not fatal
    assert re.search(r'<img[^>]*src="[^"]+\.png"', html)
    assert '<details class="rcot-solution">' in html
    assert "Show solution" in html and "tag_hide-cell" in html
    assert 'class="math notranslate nohighlight"' in html
    assert 'href="notebooks/01_small.html"' in _read(build.index)
    stored = nbformat.read(path, as_version=4)
    assert not any(c.get("outputs") for c in stored.cells)  # only the copy ran
    assert "hide-cell" not in stored.cells[5].metadata["tags"]
