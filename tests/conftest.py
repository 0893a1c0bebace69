"""Shared fixtures: the data folder (skipped with a reason when absent), seeds."""

from __future__ import annotations

import os

import pytest

# Tests never need a display or a widget front end.
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("RCOT_HEADLESS", "1")


@pytest.fixture
def data_root():
    """``$RCOT_DATA`` as a Path; skips the test when it is unset or missing."""
    from rcot_lib.environment import data_root as find

    root = find()
    if root is None:
        pytest.skip("RCOT_DATA is unset or missing: real benchmark images unavailable")
    return root


@pytest.fixture
def benchmarks(data_root):
    folder = data_root / "benchmarks"
    if not folder.is_dir():
        pytest.skip(f"{folder} missing: real benchmark images unavailable")
    return folder


@pytest.fixture(autouse=True)
def _seed():
    from rcot_lib.device import seed_all

    seed_all(0)
