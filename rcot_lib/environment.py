"""Kit-wide settings read from the environment, and the kit's folders.

``RCOT_FAST=1``
    Fast mode: notebooks and commands shrink every expensive setting (steps,
    image sizes, sample counts) so that they finish in seconds on a CPU.
``RCOT_HEADLESS=1``
    Force the headless behaviour of :func:`rcot_lib.widgets.interact_or_static`
    (static plots instead of ipywidgets). It is also detected automatically.
``RCOT_DATA=/path``
    Folder holding ``benchmarks/`` and ``train/`` (the real image sets). When it is
    unset or missing, notebooks fall back to ``data_samples/`` and tests skip.
``RCOT_SAMPLES=/path``
    The kit's ``data_samples/`` folder (sample photographs, shipped checkpoints,
    measured results), for an installation that is not the repository itself: a
    non-editable ``pip install .`` does not carry it.
"""

from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}

#: Root of the installed kit checkout (the folder holding ``rcot_lib/``).
KIT_ROOT = Path(__file__).resolve().parent.parent
#: Small redistributable images and the shipped checkpoints.
SAMPLES_DIR = Path(os.environ.get("RCOT_SAMPLES") or KIT_ROOT / "data_samples")
CHECKPOINTS_DIR = SAMPLES_DIR / "checkpoints"
#: Measured results the notebooks plot (too long to recompute in a notebook).
RESULTS_DIR = SAMPLES_DIR / "results"


def require_samples(sub: str = "") -> Path:
    """``SAMPLES_DIR / sub``, or a ``FileNotFoundError`` that says how to get it."""
    path = SAMPLES_DIR / sub
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found: the kit's data_samples/ folder is part of the "
            "repository, not of a non-editable install; install with "
            "`pip install -e .` from a clone, or set RCOT_SAMPLES to the clone's "
            "data_samples/ folder"
        )
    return path


def env_flag(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable (``1/true/yes/on`` are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in _TRUE


def is_fast() -> bool:
    """True when ``RCOT_FAST`` asks for the fast (CI) mode."""
    return env_flag("RCOT_FAST")


#: Fast mode at import time; notebooks read it in their ``parameters`` cell.
FAST: bool = is_fast()


def data_root(path: str | os.PathLike | None = None) -> Path | None:
    """The data folder from ``path`` or ``$RCOT_DATA``; ``None`` when absent.

    Parameters
    ----------
    path : str or Path, optional
        An explicit folder; it wins over the environment variable.

    Returns
    -------
    Path or None
        The folder when it exists, else ``None`` (callers fall back to
        ``data_samples/`` or skip).
    """
    raw = path if path is not None else os.environ.get("RCOT_DATA")
    if not raw:
        return None
    root = Path(raw).expanduser()
    return root if root.is_dir() else None


def _data_dir(*parts: str, root: str | os.PathLike | None) -> Path | None:
    """``<data_root>/<parts...>`` when that folder exists, else None."""
    base = data_root(root)
    if base is None:
        return None
    folder = base.joinpath(*parts)
    return folder if folder.is_dir() else None


def benchmark_dir(*parts: str, root: str | os.PathLike | None = None) -> Path | None:
    """A folder under ``<data_root>/benchmarks`` (``"derain", "Rain100L"``) or None."""
    return _data_dir("benchmarks", *parts, root=root)


def train_dir(*parts: str, root: str | os.PathLike | None = None) -> Path | None:
    """A folder under ``<data_root>/train`` (e.g. ``"clean", "BSD390"``), or None."""
    return _data_dir("train", *parts, root=root)


def machine() -> str:
    """The processor and torch version, as every results file of the kit records
    them (``"machine"``): ``"x86_64, torch 2.13.0+cpu"``."""
    import platform

    import torch

    return f"{platform.processor() or platform.machine()}, torch {torch.__version__}"
