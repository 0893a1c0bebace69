"""The training images: the folders of a training set, decoded as ``uint8``.

:func:`resolve_sources` finds the clean folders and the real pair folders (per
task) of a training set; :func:`load_clean_images` and :func:`load_pair_images`
decode them. Decoded images are kept in memory as ``uint8`` (the 390 BSD images
take about 180 MB), so an epoch costs crops and degradations only
(:func:`rcot_lib.training_data.from_config` decodes each folder once per process).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import torch

from rcot_lib.images import list_images, load_image
from rcot_lib.paired_files import find_pairs

Image8 = torch.Tensor  # (C, H, W) uint8


def _as_uint8(image: torch.Tensor) -> Image8:
    return image.clamp(0, 1).mul(255).round().to(torch.uint8)


def load_clean_images(folders: Sequence[str | os.PathLike]) -> list[Image8]:
    """Decode every image of ``folders`` once, as RGB ``uint8`` ``(3, H, W)``."""
    return [_as_uint8(load_image(p)) for f in folders for p in list_images(f)]


def load_pair_images(folder: str | os.PathLike) -> list[tuple[Image8, Image8]]:
    """Decode every ``(degraded, clean)`` pair of a paired folder as ``uint8``."""
    out = []
    for deg, clean in find_pairs(folder, strict=False):
        x, y = load_image(deg), load_image(clean)
        if x.shape != y.shape:
            warnings.warn(f"{deg.name}: pair sizes differ; skipped", stacklevel=2)
            continue
        out.append((_as_uint8(x), _as_uint8(y)))
    return out


def resolve_sources(
    data: str | os.PathLike | None,
    clean_dirs: Sequence[str],
    pair_sets: Sequence[str],
) -> tuple[list[Path], dict[str, list[Path]]]:
    """The clean folders and the real pair folders (per task) of a training set.

    ``data`` may be the data root (holding ``train/``), the ``train/`` folder
    itself, or any folder of clean images. ``clean_dirs`` and the paths of
    ``pair_sets`` (``"task:relative/path"``) are relative to the training folder.
    Without data the shipped ``data_samples/images`` are used (with a warning).
    """
    from rcot_lib.environment import require_samples, train_dir

    if data is None:
        base = train_dir()
    else:
        data = Path(data)
        if not data.is_dir():
            raise FileNotFoundError(f"training data folder not found: {data}")
        base = data / "train" if (data / "train").is_dir() else data
    clean, pairs = [], {}
    if base is not None:
        clean = [base / c for c in clean_dirs if (base / c).is_dir()]
        for spec in pair_sets:
            task, _, rel = spec.partition(":")
            if not rel:
                raise ValueError(f"pair set {spec!r} must read 'task:relative/path'")
            if (base / rel).is_dir():
                pairs.setdefault(task, []).append(base / rel)
        if not clean and any(p.suffix for p in base.iterdir() if p.is_file()):
            try:
                list_images(base)
                clean = [base]
            except FileNotFoundError:
                pass
    if not clean:
        warnings.warn(
            "no clean training folder found (set RCOT_DATA or --data); "
            "training on data_samples/images",
            stacklevel=2,
        )
        clean = [require_samples("images")]
    return clean, pairs
