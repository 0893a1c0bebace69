"""Evaluation data: paired folders and synthetic pairs as datasets, benchmark sets.

Images are ``torch.float32`` tensors in ``[0, 1]`` shaped ``(C, H, W)`` (``C`` = 3
for RGB, 1 for grayscale); batches are ``(B, C, H, W)``. The files of a paired
folder (its layouts, the pairs matched by stem, one pair read) are
:mod:`rcot_lib.paired_files`; reading, writing and listing single images is
:mod:`rcot_lib.images`. The training mix is :mod:`rcot_lib.training_data`.

A *paired folder* holds a degraded image and its clean ground truth under two
sub-folders, matched by file stem (see :data:`rcot_lib.paired_files.PAIR_LAYOUTS`
and :func:`rcot_lib.paired_files.find_pairs`).
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from rcot_lib.images import center_crop, list_images, load_image, resize_max_side
from rcot_lib.moved_names import forward
from rcot_lib.paired_files import find_pairs, load_pair


class PairedFolder(torch.utils.data.Dataset):
    """A paired folder as a dataset of ``(degraded, clean, name)`` items.

    Parameters
    ----------
    folder : str or Path
        A folder with one of the layouts of :data:`PAIR_LAYOUTS`.
    mode : {"RGB", "L", None}
        Colour mode, as in :func:`load_image`.
    max_side : int, optional
        Downscale every pair so its longer side is at most this.
    limit : int, optional
        Keep only the first ``limit`` pairs (sorted by name).
    strict : bool
        Passed to :func:`find_pairs`.
    crop : int, optional
        Keep the central ``crop x crop`` window (after ``max_side``).

    Items are ``(degraded, clean, name)``: two ``(C, H, W)`` tensors and the
    degraded file's stem (e.g. ``"001"``).
    """

    def __init__(
        self,
        folder: str | os.PathLike,
        mode: str | None = "RGB",
        max_side: int | None = None,
        limit: int | None = None,
        strict: bool = True,
        crop: int | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.pairs = find_pairs(self.folder, strict=strict)
        if limit is not None:
            self.pairs = self.pairs[: int(limit)]
        self.mode, self.max_side, self.crop = mode, max_side, crop

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, str]:
        degraded, clean = self.pairs[index]
        x, y = load_pair(degraded, clean, self.mode, self.max_side, self.crop)
        return x, y, degraded.stem

    def __repr__(self) -> str:
        return f"PairedFolder({str(self.folder)!r}, {len(self)} pairs)"


class SyntheticPairs(torch.utils.data.Dataset):
    """Clean images and their synthetic degradation, as ``(degraded, clean, name)``.

    Image ``i`` is degraded with the seed ``seed + i``, so an item does not depend
    on which other items were read or in what order.

    Parameters
    ----------
    images : folder, or list of image files
        The clean images (e.g. ``benchmarks/denoise/CBSD68``).
    task : str
        A task of :data:`rcot_lib.degrade.TASKS`.
    seed : int
        Base seed of the degradations.
    mode, max_side, limit, crop
        As in :class:`PairedFolder`; the crop is taken before the degradation.
    **params
        Passed to :func:`rcot_lib.degrade.degrade` (e.g. ``heavy=True``).
    """

    def __init__(
        self,
        images: str | os.PathLike | list[Path],
        task: str,
        seed: int = 0,
        mode: str | None = "RGB",
        max_side: int | None = None,
        limit: int | None = None,
        crop: int | None = None,
        **params,
    ) -> None:
        from rcot_lib.degrade import task_label

        task_label(task)  # validates the name
        if isinstance(images, (str, os.PathLike)):
            images = list_images(images)
        self.paths = list(images)[: limit if limit is not None else None]
        self.task, self.seed, self.params = task, int(seed), params
        self.mode, self.max_side, self.crop = mode, max_side, crop

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, str]:
        from rcot_lib.degrade import degrade

        path = self.paths[index]
        clean = resize_max_side(load_image(path, self.mode), self.max_side)
        clean = center_crop(clean, self.crop)
        degraded = degrade(clean, self.task, self.seed + index, **self.params)
        return degraded, clean, path.stem


#: Real test sets under ``<data_root>/benchmarks``: name -> (folder, task of the
#: synthetic degradation for clean-only sets, or None for paired folders).
BENCHMARKS = {
    "Rain100L": (("derain", "Rain100L"), None),
    "SOTS-outdoor": (("dehaze", "SOTS-outdoor"), None),
    "LOL": (("lowlight", "LOL"), None),
    "CBSD68": (("denoise", "CBSD68"), "denoise_25"),
    "Set12": (("denoise", "Set12"), "denoise_25"),
}


#: The scored sets of ``scripts/eval_benchmarks.sh`` (one ``rcot eval`` each):
#: key -> table label. Noise and blur are seeded synthetic degradations of the
#: clean sets; Rain100L is scored on the BT.601 Y channel, the others in RGB.
EVAL_SETS = {
    "cbsd68_15": "CBSD68 sigma 15", "cbsd68_25": "CBSD68 sigma 25",
    "cbsd68_50": "CBSD68 sigma 50", "set12_25": "Set12 sigma 25 (gray)",
    "rain100l": "Rain100L (Y)", "rain100l_rgb": "Rain100L (RGB)",
    "sots": "SOTS-outdoor", "lol": "LOL",
    "cbsd68_blur": "CBSD68 synthetic motion blur",
}


def benchmark_sets(
    root: str | os.PathLike | None = None,
    limit: int | None = None,
    max_side: int | None = None,
    seed: int = 0,
    noise: str = "denoise_25",
    crop: int | None = None,
) -> dict[str, torch.utils.data.Dataset]:
    """The benchmark sets of :data:`BENCHMARKS` that exist under ``root`` (default
    ``$RCOT_DATA``), as paired datasets; clean-only sets get seeded ``noise``.

    Returns an empty dict when no data folder is found (callers fall back to
    ``data_samples/``). Set12 stays grayscale.
    """
    from rcot_lib.environment import benchmark_dir

    sets = {}
    for name, (parts, task) in BENCHMARKS.items():
        folder = benchmark_dir(*parts, root=root)
        if folder is None:
            continue
        if task is None:
            sets[name] = PairedFolder(folder, "RGB", max_side, limit, crop=crop)
        else:
            mode = "L" if name == "Set12" else "RGB"
            label = f"{name}+{noise.replace('denoise_', 'σ')}"
            sets[label] = SyntheticPairs(
                folder, noise, seed, mode, max_side, limit, crop=crop
            )
    return sets


#: Names that moved out of this module keep this import path (see
#: :mod:`rcot_lib.moved_names`).
__getattr__ = forward(__name__, {
    "rcot_lib.paired_files": (
        "PAIR_LAYOUTS", "pair_key", "pair_dirs", "find_pairs", "load_pair",
    ),
})
