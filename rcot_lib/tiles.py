"""Restoring large images in overlapping tiles, and checking a tiling first.

A map ``T`` restores a ``tile x tile`` window at a time; windows advance by
``tile - overlap`` pixels, the last one in each direction flush with the border,
and the outputs are averaged where windows overlap. This bounds memory on large
images at the cost of more forward passes.
"""

from __future__ import annotations

import numbers

import torch


def check_tile(tile: int | None, overlap: int = 32, *, prefix: str = "") -> None:
    """Raise a ``ValueError`` unless ``tile`` and ``overlap`` give a usable tiling.

    ``tile`` (``None``: one pass, no tiling) must be a positive integer larger
    than ``overlap``, a non-negative integer; neighbouring tiles advance by
    ``tile - overlap`` pixels. Any size is accepted: the map rounds a tile up to
    its multiple (:func:`apply_tiled`).

    Parameters
    ----------
    tile : int or None
    overlap : int
    prefix : str
        Put before the names in messages (``"--"`` for the command line).

    Examples
    --------
    >>> check_tile(256, 32)
    >>> check_tile(32, 32, prefix="--")
    Traceback (most recent call last):
    ...
    ValueError: --tile 32 must be larger than --overlap 32
    """

    def whole(v: object) -> bool:
        return isinstance(v, numbers.Integral) and not isinstance(v, bool)

    if not whole(overlap) or overlap < 0:
        raise ValueError(
            f"{prefix}overlap must be a whole number >= 0, got {overlap!r}"
        )
    if tile is None:
        return
    if not whole(tile) or tile < 1:
        raise ValueError(f"{prefix}tile must be a whole number >= 1, got {tile!r}")
    if tile <= overlap:
        raise ValueError(
            f"{prefix}tile {tile} must be larger than {prefix}overlap {overlap}"
        )


def _tile_starts(size: int, tile: int, stride: int) -> list[int]:
    if size <= tile:
        return [0]
    starts = list(range(0, size - tile, stride))
    return starts + [size - tile]


def apply_tiled(
    T: torch.nn.Module, x: torch.Tensor, tile: int | None, overlap: int
) -> torch.Tensor:
    """``T(x)`` in one pass or in overlapping tiles (averaged where they overlap).

    ``x`` is ``(B, C, H, W)``; ``tile`` is rounded up to ``T.multiple`` (the
    map's padding multiple, 1 if it has none). See :func:`check_tile`.

    Examples
    --------
    >>> x = torch.rand(1, 3, 40, 50)
    >>> torch.equal(apply_tiled(torch.nn.Identity(), x, 16, 4), x)
    True
    """
    check_tile(tile, overlap)
    if tile is None:
        return T(x).float()
    m = int(getattr(T, "multiple", 1))
    tile = -(-int(tile) // m) * m
    stride = max(1, tile - int(overlap))
    H, W = x.shape[-2:]
    out = torch.zeros_like(x)
    count = torch.zeros_like(x[:, :1])
    for i in _tile_starts(H, tile, stride):
        for j in _tile_starts(W, tile, stride):
            patch = x[..., i : i + tile, j : j + tile]
            out[..., i : i + tile, j : j + tile] += T(patch).float()
            count[..., i : i + tile, j : j + tile] += 1
    return out / count
