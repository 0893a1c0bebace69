"""The kit's book built once per test session, in fast mode, for the tests that read it.

``tests/test_book.py`` (the HTML files) and ``tests/test_browser.py`` (the pages in
headless Chromium) share one build: executing the six notebooks is the slow part.
A failed build is remembered too, so the second module reports it without
building again.
"""

from __future__ import annotations

from typing import Any

import pytest

_CACHE: dict[str, Any] = {}


def fast_book(tmp_path_factory: pytest.TempPathFactory):
    """The book of ``notebooks/``, built in fast mode in a temporary folder.

    Returns the :class:`rcot_lib.book.BookBuild`; fails the calling test with the
    build's message (notebook and cell) when the build failed.
    """
    from rcot_lib.book import BookError, build_book

    if "error" in _CACHE:
        pytest.fail(f"the book did not build: {_CACHE['error']}")
    if "build" not in _CACHE:
        out = tmp_path_factory.mktemp("book") / "book"
        try:
            _CACHE["build"] = build_book(out, fast=True)
        except BookError as exc:
            _CACHE["error"] = exc
            pytest.fail(f"the book did not build: {exc}")
    return _CACHE["build"]
