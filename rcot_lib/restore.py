"""Restoring whole images with a trained map, and scoring folders of them.

The map pads its input to a multiple of ``T.multiple`` and crops back, so any
image size works. Large images may be restored in overlapping tiles (averaged
where they overlap) to bound memory. Grayscale images go through an RGB map with
their channel repeated three times; the output is the mean of the three output
channels. The geometric self-ensemble averages the map's outputs over the eight
flips and quarter turns of the input (eight times the work).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import torch

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


Item = tuple[str, torch.Tensor, torch.Tensor]  # (name, degraded, clean), (C, H, W)
#: ``(file name, message)`` of each input that could not be read.
Failures = list[tuple[str, str]]


def pair_items(
    folder: str | os.PathLike, limit: int | None = None, failed: Failures | None = None
) -> Iterator[Item]:
    """``(name, degraded, clean)`` for each pair of a paired folder (RGB).

    With a list ``failed``, a pair that cannot be read (an unreadable image, two
    sizes) is skipped and recorded there as ``(degraded file name, message)``;
    without one, its error is raised.
    """
    from rcot_lib.eval_data import PairedFolder

    ds = PairedFolder(folder, mode="RGB", limit=limit, strict=False)
    for i in range(len(ds)):
        try:
            x, y, name = ds[i]
        except (ValueError, OSError) as exc:
            if failed is None:
                raise
            failed.append((ds.pairs[i][0].name, " ".join(str(exc).split())))
            continue
        yield name, x, y


def synthetic_items(
    folder: str | os.PathLike,
    task: str,
    limit: int | None = None,
    seed: int = 0,
    failed: Failures | None = None,
) -> Iterator[Item]:
    """Clean images of ``folder`` degraded by ``task``, image ``k`` with seed
    ``seed + k`` (so two runs give the same numbers); grayscale stays grayscale.

    ``failed`` is as in :func:`pair_items`; skipping an image changes no other
    image's seed, so the others are degraded as in a run where it was readable.
    """
    from rcot_lib.degrade import degrade, task_label
    from rcot_lib.images import list_images, load_image

    task_label(task)
    for k, path in enumerate(list_images(folder)[:limit]):
        try:
            y = load_image(path, mode=None)
        except (ValueError, OSError) as exc:
            if failed is None:
                raise
            failed.append((path.name, " ".join(str(exc).split())))
            continue
        g = torch.Generator().manual_seed(seed + k)
        yield path.stem, degrade(y[None], task, g)[0].clamp(0, 1), y


def evaluate(
    T: torch.nn.Module,
    items: Iterable[Item],
    y_channel: bool = False,
    crop_border: int = 0,
    tile: int | None = None,
    progress: bool = True,
    total: int | None = None,
    self_ensemble: bool = False,
    overlap: int = 32,
    failed: Failures | None = None,
) -> dict:
    """PSNR and SSIM of the inputs and of the restored images, per image and mean.

    ``tile`` and ``overlap`` are checked (:func:`check_tile`) before the first
    image is read. With a list ``failed``, an image that cannot be scored (e.g.
    smaller than SSIM's window) is skipped and recorded there as ``(name,
    message)``, as :func:`pair_items` records the unreadable ones.

    Returns
    -------
    dict
        ``psnr_in``, ``psnr_out``, ``ssim_in``, ``ssim_out`` (means; for colour
        images scored on RGB also ``psnr_y_in``, ... on BT.601 Y),
        ``seconds_per_image`` and ``images``: one dict per image with ``name``,
        ``height``, ``width`` and the four values.
    """
    import sys

    from tqdm.auto import tqdm

    from rcot_lib.metrics import mean_finite, psnr, ssim

    def score(name: str, x: torch.Tensor, y: torch.Tensor) -> dict:
        t0 = time.perf_counter()
        out = restore(T, x, tile=tile, overlap=overlap, self_ensemble=self_ensemble)
        dt = time.perf_counter() - t0
        kw = {"y_channel": y_channel, "crop_border": crop_border}
        row = {
            "name": name, "channels": int(y.shape[-3]),
            "height": int(y.shape[-2]), "width": int(y.shape[-1]),
            "psnr_in": psnr(x, y, **kw), "psnr_out": psnr(out, y, **kw),
            "ssim_in": ssim(x, y, **kw), "ssim_out": ssim(out, y, **kw),
            "seconds": round(dt, 3),
        }
        if not y_channel and y.shape[-3] == 3:  # Y beside RGB, as papers differ
            ky = {"y_channel": True, "crop_border": crop_border}
            row.update(psnr_y_in=psnr(x, y, **ky), psnr_y_out=psnr(out, y, **ky),
                       ssim_y_in=ssim(x, y, **ky), ssim_y_out=ssim(out, y, **ky))
        return row

    check_tile(tile, overlap)
    rows = []
    for name, x, y in tqdm(items, total=total, disable=not progress, file=sys.stderr,
                           desc="eval"):
        try:
            rows.append(score(name, x, y))
        except ValueError as exc:
            if failed is None:
                raise
            failed.append((name, " ".join(str(exc).split())))
    if not rows:
        raise ValueError("no image to evaluate")
    keys = ["psnr_in", "psnr_out", "ssim_in", "ssim_out"]
    if all("psnr_y_out" in r for r in rows):
        keys += ["psnr_y_in", "psnr_y_out", "ssim_y_in", "ssim_y_out"]
    summary = {k: mean_finite([r[k] for r in rows]) for k in keys}
    summary["seconds_per_image"] = sum(r["seconds"] for r in rows) / len(rows)
    summary["images"] = rows
    return summary


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


def validate(T: torch.nn.Module, val, batch: int = 8) -> dict[str, float]:
    """Mean PSNR (RGB, 8-bit) of inputs and outputs on a validation batch.

    As in :func:`evaluate`, an image identical to its target (infinite PSNR, e.g.
    a crop that its degradation left untouched) is left out of the mean.
    """
    from rcot_lib.metrics import mean_finite, psnr

    x, y, _ = val
    was_training = T.training
    T.eval()
    device = next(T.parameters()).device
    with torch.no_grad():
        out = torch.cat([T(x[i : i + batch].to(device)).float().clamp(0, 1).cpu()
                         for i in range(0, len(x), batch)])
    T.train(was_training)
    return {"val_psnr_in": mean_finite(psnr(x, y).tolist()),
            "val_psnr": mean_finite(psnr(out, y).tolist())}
