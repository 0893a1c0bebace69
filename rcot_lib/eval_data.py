"""Evaluation data: paired folders (degraded, clean), synthetic pairs, benchmarks.

Images are ``torch.float32`` tensors in ``[0, 1]`` shaped ``(C, H, W)`` (``C`` = 3
for RGB, 1 for grayscale); batches are ``(B, C, H, W)``. Reading, writing and
listing single images is :mod:`rcot_lib.images`. The training mix is
:mod:`rcot_lib.training_data`.

A *paired folder* holds a degraded image and its clean ground truth under two
sub-folders, matched by file stem (see :data:`PAIR_LAYOUTS` and :func:`find_pairs`).
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import torch

from rcot_lib.images import center_crop, list_images, load_image, resize_max_side

#: Sub-folder names of a paired folder, ``(degraded, clean)``, tried in this order.
#: ``rainy/+gt/`` is Rain100L, Rain12 and Rain13K; ``rain/+norain/`` the original
#: Rain100L/RainTrainL release; ``hazy/+gt/`` SOTS as shipped here, ``hazy/+clear/``
#: RESIDE's own release; ``low/+high/`` LOL.
PAIR_LAYOUTS: tuple[tuple[str, str], ...] = (
    ("degraded", "clean"),
    ("input", "target"),
    ("low", "high"),
    ("rainy", "gt"),
    ("rain", "norain"),
    ("hazy", "gt"),
    ("hazy", "clear"),
    ("noisy", "gt"),
    ("blur", "sharp"),
)

# Name decorations that differ between the degraded and the clean file of one pair:
# ``rain-001`` / ``norain-001`` (Rain100L release), ``0001_0.8_0.2`` / ``0001``
# (RESIDE hazy files carry the atmospheric light A and the scattering beta).
_DEGRADED_PREFIX = re.compile(r"^(rain|rainy|hazy|noisy|low|blur|degraded)[-_]", re.I)
_CLEAN_PREFIX = re.compile(
    r"^(norain|no_rain|gt|clean|clear|high|sharp|target)[-_]", re.I
)
_RESIDE_SUFFIX = re.compile(r"_(\d+(\.\d+)?)_(\d+(\.\d+)?)$")


def pair_key(stem: str, role: str) -> str:
    """The matching key of a file stem: the stem without the decorations above.

    Parameters
    ----------
    stem : str
        A file name without its extension.
    role : {"degraded", "clean"}
        Which side of the pair the file is on.

    Examples
    --------
    >>> pair_key("rain-001", "degraded"), pair_key("norain-001", "clean")
    ('001', '001')
    >>> pair_key("0051_0.8_0.2", "degraded"), pair_key("0051", "clean")
    ('0051', '0051')
    """
    if role == "degraded":
        return _RESIDE_SUFFIX.sub("", _DEGRADED_PREFIX.sub("", stem))
    if role == "clean":
        return _CLEAN_PREFIX.sub("", stem)
    raise ValueError(f"role must be 'degraded' or 'clean', got {role!r}")


def pair_dirs(folder: str | os.PathLike) -> tuple[Path, Path]:
    """The ``(degraded, clean)`` sub-folders of a paired folder.

    Raises
    ------
    FileNotFoundError
        ``folder`` is missing or has none of the layouts in :data:`PAIR_LAYOUTS`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"paired folder not found: {folder}")
    for deg, clean in PAIR_LAYOUTS:
        if (folder / deg).is_dir() and (folder / clean).is_dir():
            return folder / deg, folder / clean
    layouts = ", ".join(f"{d}/+{c}/" for d, c in PAIR_LAYOUTS)
    raise FileNotFoundError(
        f"{folder} is not a paired folder; expected one of: {layouts}"
    )


def find_pairs(
    folder: str | os.PathLike, *, strict: bool = True
) -> list[tuple[Path, Path]]:
    """The ``(degraded, clean)`` file pairs of a paired folder, matched by stem.

    Files match when their stems agree (extensions may differ: SOTS pairs
    ``hazy/0001.jpg`` with ``gt/0001.png``), or else when their stems agree after
    :func:`pair_key` (``rain-001`` / ``norain-001``; ``0051_0.8_0.2`` / ``0051``).
    Several degraded files may share one clean file (RESIDE renders each scene at
    several hazes).

    Parameters
    ----------
    folder : str or Path
        A folder with one of the layouts of :data:`PAIR_LAYOUTS`.
    strict : bool
        Raise on a file without a partner (default); else skip it with a warning.

    Returns
    -------
    list of (Path, Path)
        Sorted by the degraded file's name.

    Raises
    ------
    FileNotFoundError
        Not a paired folder, or a side holds no image.
    ValueError
        ``strict`` and some file has no partner, or a degraded file matches two
        clean files.
    """
    deg_dir, clean_dir = pair_dirs(folder)
    clean_files = list_images(clean_dir)
    by_stem: dict[str, list[Path]] = {}
    by_key: dict[str, list[Path]] = {}
    for path in clean_files:
        by_stem.setdefault(path.stem, []).append(path)
        by_key.setdefault(pair_key(path.stem, "clean"), []).append(path)
    pairs, lonely = [], []
    for path in list_images(deg_dir):
        # the exact stem wins; the undecorated key (rain-001 / norain-001) is a fallback
        found = by_stem.get(path.stem) or by_key.get(pair_key(path.stem, "degraded"))
        if not found:
            lonely.append(path.name)
            continue
        if len(found) > 1:
            names = [f.name for f in found]
            raise ValueError(f"{clean_dir}: {path.name} matches several files {names}")
        pairs.append((path, found[0]))
    used = {clean for _, clean in pairs}
    lonely_clean = sorted(p.name for p in clean_files if p not in used)
    if lonely or lonely_clean:
        msg = (
            f"{folder}: unmatched files: {len(lonely)} in {deg_dir.name}/ "
            f"{lonely[:5]}, {len(lonely_clean)} in {clean_dir.name}/ {lonely_clean[:5]}"
        )
        if strict:
            raise ValueError(msg + " (pass strict=False to skip them)")
        warnings.warn(msg + "; skipped", stacklevel=2)
    if not pairs:
        raise FileNotFoundError(f"{folder}: no degraded/clean pair matched by stem")
    return pairs


def load_pair(
    degraded: str | os.PathLike,
    clean: str | os.PathLike,
    mode: str | None = "RGB",
    max_side: int | None = None,
    crop: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Read one pair as two ``(C, H, W)`` tensors, checking that the sizes agree.

    Parameters
    ----------
    degraded, clean : str or Path
        The two image files.
    mode : {"RGB", "L", None}
        As in :func:`load_image`.
    max_side : int, optional
        Downscale both images alike (:func:`resize_max_side`) after the check.
    crop : int, optional
        Then keep the central ``crop x crop`` window of both (:func:`center_crop`).

    Raises
    ------
    ValueError
        The two images differ in size.
    """
    x, y = load_image(degraded, mode), load_image(clean, mode)
    if x.shape != y.shape:
        raise ValueError(
            f"pair size mismatch: {Path(degraded).name} is {tuple(x.shape)} but "
            f"{Path(clean).name} is {tuple(y.shape)} (C, H, W)"
        )
    x, y = resize_max_side(x, max_side), resize_max_side(y, max_side)
    return center_crop(x, crop), center_crop(y, crop)


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
