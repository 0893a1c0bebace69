"""Sphinx configuration of the kit's book (``make book``; see ``rcot_lib/book.py``).

The book is built from a copy of the sources laid out as in the repository
(``index.md``, ``docs/``, ``notebooks/``) that ``rcot_lib.book`` prepares in
``build/book/_src``: the notebooks there are already executed (headless,
``RCOT_HEADLESS=1``), so Sphinx only renders them. MathJax is served from the
book's own ``_static/mathjax`` (copied from the ``sphinx-mathjax-offline``
package), never from a network.
"""

from __future__ import annotations

import shutil
from pathlib import Path

project = "rcot-kit"
author = "rcot-kit contributors"
copyright = "rcot-kit contributors, MIT licence"
language = "en"

extensions = ["myst_nb"]

root_doc = "index"
exclude_patterns = ["_build", ".doctrees", "**.ipynb_checkpoints", "Thumbs.db"]

# -- MyST and notebooks --------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
myst_dmath_double_inline = True  # $$...$$ inside a paragraph, as JupyterLab shows it
#: the notebooks arrive executed; an error cell has already failed the build
nb_execution_mode = "off"
nb_execution_raise_on_error = True
#: no require.js / widget manager from a CDN (the widgets are drawn as static plots)
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
nb_merge_streams = True
nb_output_stderr = "show"  # as JupyterLab shows it
nb_code_prompt_show = "Show code cell {type}"
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

# -- Math, offline -------------------------------------------------------------
#: relative to _static/: SVG output needs no web fonts, so it renders from file://
mathjax_path = "mathjax/tex-svg.js"
mathjax3_config = {
    "options": {"enableMenu": True},
    "svg": {"fontCache": "global"},
}

# -- HTML ----------------------------------------------------------------------
html_title = "rcot-kit"
html_theme = "sphinx_book_theme"
#: ``_static/`` (MathJax, book.css) is copied by :func:`setup`'s hook: the sources
#: lie inside the output folder, where Sphinx ignores an ``html_static_path``
html_static_path: list[str] = []
html_css_files = ["book.css"]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
    "search_bar_text": "Search the book",
    "navbar_persistent": [],  # one search field: the sidebar's
}


def _copy_static(app, exception) -> None:
    """Copy the book's ``_static/`` (MathJax, CSS) next to Sphinx's own files."""
    if exception is None and app.builder.format == "html":
        static = Path(app.confdir) / "_static"
        if static.is_dir():
            shutil.copytree(static, Path(app.outdir) / "_static", dirs_exist_ok=True)


def setup(app) -> dict[str, bool]:
    """Register the static-file hook."""
    app.connect("build-finished", _copy_static)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
