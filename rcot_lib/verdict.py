"""The verdict on an exercise answer, and reading an answer as a number.

:mod:`rcot_lib.selfcheck`'s checks build on these: each prints one line,
``correct: ...`` or ``not yet: ...``, and returns a :class:`Verdict` that is true
when the answer is right.

>>> v = verdict(False, "expected about 2, got 4.", 2, 4)
not yet: expected about 2, got 4.
>>> bool(v), v.expected, as_number(torch.tensor([3.0]))
(False, 2, 3.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``ok``, the one-line ``message``, and the numbers."""

    ok: bool
    message: str
    expected: object = None
    got: object = None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        """Nothing more to show in a notebook: the verdict was printed when made."""


def verdict(ok: bool, message: str, expected: object = None,
            got: object = None) -> Verdict:
    """Print ``correct: message`` or ``not yet: message`` and return the verdict."""
    outcome = Verdict(ok, ("correct: " if ok else "not yet: ") + message, expected, got)
    print(outcome.message)
    return outcome


def as_number(answer: object, name: str = "answer") -> float | None:
    """``answer`` as a finite float (``None`` stays ``None``); ValueError otherwise."""
    if answer is None:
        return None
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    elif isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.number):
        raise ValueError(f"{name} must be a number, got {type(answer).__name__} "
                         f"{answer!r}")
    value = float(answer)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def unanswered(what: str) -> Verdict:
    """The ``not yet`` verdict of an answer left at ``None``."""
    return verdict(False, f"no answer (replace None by {what}).")


def close(got: float, expected: float, rtol: float, atol: float) -> bool:
    """``|got - expected| <= atol + rtol |expected|`` (as :func:`numpy.isclose`)."""
    return abs(got - expected) <= atol + rtol * abs(expected)
