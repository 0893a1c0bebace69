"""Seeded random draws shared by the degradation functions.

Each degradation draws its parameters per image from a ``torch.Generator`` (or an
int seed), so one seed gives one result on every device. A parameter given as a
pair ``(lo, hi)`` is drawn uniformly per image; a number fixes it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

Range = float | tuple[float, float]
Seed = torch.Generator | int | None


def as_generator(generator: Seed = None) -> torch.Generator:
    """A CPU ``torch.Generator`` from a generator, an int seed or ``None`` (seed 0)."""
    if isinstance(generator, torch.Generator):
        return generator
    if generator is None or isinstance(generator, int):
        return torch.Generator().manual_seed(int(generator or 0))
    raise ValueError(
        f"generator must be a torch.Generator, an int or None, got {generator!r}"
    )


def as_batch(clean: torch.Tensor) -> tuple[torch.Tensor, bool]:
    """``(B, C, H, W)`` float view of ``clean`` and whether it was a single image."""
    if not isinstance(clean, torch.Tensor) or clean.ndim not in (3, 4):
        shape = tuple(getattr(clean, "shape", ()))
        raise ValueError(
            f"expected a (C, H, W) or (B, C, H, W) tensor, got shape {shape}"
        )
    single = clean.ndim == 3
    x = clean[None] if single else clean  # (B, C, H, W)
    if x.shape[1] not in (1, 3):
        raise ValueError(f"expected 1 or 3 channels, got {x.shape[1]}")
    return x.float(), single


def draw(spec: Range, n: int, g: torch.Generator) -> torch.Tensor:
    """``n`` values: a constant, or uniform in ``(lo, hi)``; on the CPU, shape (n,)."""
    if isinstance(spec, (tuple, list)):
        lo, hi = float(spec[0]), float(spec[1])
        return lo + (hi - lo) * torch.rand(n, generator=g)
    return torch.full((n,), float(spec))


def randn(
    shape: Sequence[int], g: torch.Generator, like: torch.Tensor
) -> torch.Tensor:
    """Standard normal draws from ``g`` (on the CPU), moved to ``like``'s device."""
    return torch.randn(tuple(shape), generator=g).to(like.device)


def finish(y: torch.Tensor, single: bool, quantize: bool = False) -> torch.Tensor:
    """Clip to ``[0, 1]``, optionally round to 8-bit levels, undo :func:`as_batch`."""
    y = y.clamp(0, 1)
    if quantize:
        y = torch.round(y * 255) / 255
    return y[0] if single else y
