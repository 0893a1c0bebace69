"""Restoring whole images with a trained map.

The map pads its input to a multiple of ``T.multiple`` and crops back, so any
image size works. Large images may be restored in overlapping tiles (averaged
where they overlap) to bound memory. Grayscale images go through an RGB map with
their channel repeated three times; the output is the mean of the three output
channels. The geometric self-ensemble averages the map's outputs over the eight
flips and quarter turns of the input (eight times the work). Scoring a map on
benchmark folders and on the validation batch is :mod:`rcot_lib.scoring`.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from rcot_lib.moved_names import forward
from rcot_lib.tiles import apply_tiled, check_tile


def _model_channels(T: torch.nn.Module) -> int:
    cfg = getattr(T, "cfg", None) or getattr(T, "config", None)
    return int(getattr(cfg, "in_channels", 3))


def as_batch(image: torch.Tensor) -> tuple[torch.Tensor, bool]:
    """Check an image and return it as ``(B, C, H, W)`` and whether it was single.

    Raises
    ------
    ValueError
        Not a tensor shaped ``(C, H, W)`` or ``(B, C, H, W)`` with ``C`` 1 or 3.
    """
    if not isinstance(image, torch.Tensor):
        raise ValueError(f"expected a torch.Tensor image, got {type(image).__name__}")
    if image.ndim not in (3, 4) or image.shape[-3] not in (1, 3):
        raise ValueError(
            "expected an RGB or grayscale image shaped (C, H, W) or (B, C, H, W) "
            f"with C = 3 or 1, got shape {tuple(image.shape)}"
        )
    return (image[None], True) if image.ndim == 3 else (image, False)


def dihedral(x: torch.Tensor, k: int, inverse: bool = False) -> torch.Tensor:
    """Element ``k`` (0-7) of the dihedral group of the square, on ``(..., H, W)``.

    ``k % 4`` quarter turns, then a left-right flip when ``k >= 4``;
    ``inverse=True`` undoes it.

    Examples
    --------
    >>> x = torch.arange(6.0).reshape(1, 2, 3)
    >>> all(torch.equal(dihedral(dihedral(x, k), k, inverse=True), x) for k in range(8))
    True
    """
    if not 0 <= k < 8:
        raise ValueError(f"k must be in 0..7, got {k}")
    if inverse:
        if k >= 4:
            x = x.flip(-1)
        return torch.rot90(x, -(k % 4), (-2, -1))
    x = torch.rot90(x, k % 4, (-2, -1))
    return x.flip(-1) if k >= 4 else x


@torch.no_grad()
def restore(
    T: torch.nn.Module,
    image: torch.Tensor,
    tile: int | None = None,
    overlap: int = 32,
    device: str | torch.device | None = None,
    self_ensemble: bool = False,
) -> torch.Tensor:
    """Restore a whole image (any size) with the map ``T``.

    Parameters
    ----------
    T : torch.nn.Module
        A map ``(B, C, H, W) -> (B, C, H, W)``, e.g. from
        :func:`rcot_lib.checkpoint.load_map`.
    image : torch.Tensor, shape (C, H, W) or (B, C, H, W)
        Degraded image(s) in ``[0, 1]``, RGB or grayscale.
    tile : int, optional
        Restore in ``tile x tile`` windows (rounded up to ``T.multiple``);
        ``None`` restores in one pass. Must be larger than ``overlap``
        (:func:`check_tile`).
    overlap : int
        Overlap of neighbouring tiles in pixels.
    device : str or torch.device, optional
        Where to run (default: the map's device).
    self_ensemble : bool
        Average the outputs for the eight flips and quarter turns of the input
        (:func:`dihedral`), each undone: a test-time ensemble of one map at
        eight times the cost.

    Returns
    -------
    torch.Tensor
        Same shape as ``image``, in ``[0, 1]``, on the CPU.

    Raises
    ------
    ValueError
        A bad tiling (:func:`check_tile`), or an image that is not ``(C, H, W)``
        or ``(B, C, H, W)`` with ``C`` 1 or 3.

    Examples
    --------
    >>> identity = torch.nn.Identity()
    >>> restore(identity, torch.rand(1, 20, 30)).shape
    torch.Size([1, 20, 30])
    """
    check_tile(tile, overlap)
    x, single = as_batch(image)
    if device is None:
        p = next(iter(T.parameters()), None)
        device = p.device if p is not None else torch.device("cpu")
    gray_in_rgb = x.shape[1] == 1 and _model_channels(T) == 3
    if x.shape[1] == 3 and _model_channels(T) == 1:
        raise ValueError("this map restores grayscale images; got an RGB image")
    if gray_in_rgb:
        x = x.expand(-1, 3, -1, -1)
    was_training = T.training
    T.eval()
    x = x.to(device, torch.float32)
    if self_ensemble:
        out = sum(
            dihedral(apply_tiled(T, dihedral(x, k), tile, overlap), k, inverse=True)
            for k in range(8)
        ) / 8
    else:
        out = apply_tiled(T, x, tile, overlap)
    T.train(was_training)
    out = out.clamp(0, 1).cpu()
    if gray_in_rgb:
        out = out.mean(1, keepdim=True)
    return out[0] if single else out


def restore_file(
    T: torch.nn.Module,
    src: str | os.PathLike,
    dst: str | os.PathLike,
    tile: int | None = None,
    overlap: int = 32,
    self_ensemble: bool = False,
) -> Path:
    """Read an image file, restore it and write the result atomically.

    The output format (from ``dst``'s suffix) and the tiling are checked before
    the image is read; ``dst`` is only ever replaced by a whole image.
    """
    from rcot_lib.images import load_image, output_format, save_image

    output_format(dst)
    check_tile(tile, overlap)
    image = load_image(src, mode=None)
    out = restore(T, image, tile=tile, overlap=overlap, self_ensemble=self_ensemble)
    return save_image(out, dst)


#: Names that moved to :mod:`rcot_lib.scoring` (served here through
#: :mod:`rcot_lib.moved_names`).
__getattr__ = forward(__name__, {
    "rcot_lib.scoring": (
        "Item", "Failures", "pair_items", "synthetic_items", "evaluate", "validate",
    ),
})
