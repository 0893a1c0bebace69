"""Paired folders on disk: their layouts, their files matched by stem, one pair read.

A *paired folder* holds a degraded image and its clean ground truth under two
sub-folders, matched by file stem (see :data:`PAIR_LAYOUTS` and :func:`find_pairs`);
:func:`load_pair` reads one pair as two ``torch.float32`` tensors in ``[0, 1]``
shaped ``(C, H, W)``.

The evaluation datasets built on these files (:class:`rcot_lib.eval_data.PairedFolder`,
the synthetic pairs and the benchmark sets) are :mod:`rcot_lib.eval_data`; the
training images read real pairs through :mod:`rcot_lib.training_images`. Reading,
writing and listing single images is :mod:`rcot_lib.images`.
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
