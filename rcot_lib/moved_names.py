"""Old import paths of names that moved to a module of their own.

When a module is split, the names it gave away stay importable from it
(``from rcot_lib.viz import plot_history`` keeps working) without a second
definition: the old module's ``__getattr__`` (PEP 562) fetches each name from
its new home on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any


def forward(module: str, homes: dict[str, Iterable[str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` serving the names of each ``homes[new_module]``.

    >>> getattr_ = forward("old", {"math": ["pi"]})
    >>> round(getattr_("pi"), 2)
    3.14
    >>> getattr_("tau")
    Traceback (most recent call last):
    AttributeError: module 'old' has no attribute 'tau'
    """
    where = {name: home for home, names in homes.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name in where:
            return getattr(importlib.import_module(where[name]), name)
        raise AttributeError(f"module {module!r} has no attribute {name!r}")

    return __getattr__
