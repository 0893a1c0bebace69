"""Scoring a trained map: PSNR and SSIM on benchmark folders and validation batches.

A benchmark is a stream of *items* ``(name, degraded, clean)``, images as
``(C, H, W)`` tensors in ``[0, 1]``: the pairs of a paired folder
(:func:`pair_items`) or clean images degraded with a fixed seed per image
(:func:`synthetic_items`). :func:`evaluate` restores each item with
:func:`rcot_lib.restore.restore` and scores it, on RGB with BT.601 Y beside it
(the all-in-one papers report RGB, single-task deraining papers Y), or on Y only.
:func:`validate` is the quick score :mod:`rcot_lib.train` logs during training.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator

import torch

from rcot_lib.restore import restore
from rcot_lib.tiles import check_tile

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
