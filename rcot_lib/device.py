"""Device choice and seeding, the same on a laptop CPU and on a GPU."""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def get_device(preference: str = "auto") -> torch.device:
    """Pick a torch device.

    Parameters
    ----------
    preference : {"auto", "cpu", "cuda", "mps"} or a device string
        ``"auto"`` takes CUDA, then Apple's MPS, then the CPU.

    Examples
    --------
    >>> get_device("cpu")
    device(type='cpu')
    """
    if preference != "auto":
        device = torch.device(preference)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(
                f"device {preference!r} requested but CUDA is not available; "
                "use 'auto' or 'cpu'"
            )
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_all(seed: int = 0) -> torch.Generator:
    """Seed Python, NumPy and torch; return a CPU ``torch.Generator`` with that seed.

    Examples
    --------
    >>> g = seed_all(3); a = torch.rand(2, generator=g)
    >>> g = seed_all(3); bool((a == torch.rand(2, generator=g)).all())
    True
    """
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    return torch.Generator().manual_seed(seed)


def set_threads(num_threads: int | None) -> None:
    """Limit torch's intra-op CPU threads (``None`` leaves the default)."""
    if num_threads:
        torch.set_num_threads(int(num_threads))
