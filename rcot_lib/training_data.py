"""Training data: clean images degraded on the fly, real pairs, all-in-one mixing.

The training images (their folders, decoded as ``uint8``) are
:mod:`rcot_lib.training_images`; the loader that batches the samples by step is
:mod:`rcot_lib.training_loader`; the evaluation sets (paired folders, benchmarks)
are :mod:`rcot_lib.eval_data`.

Every sample is a pure function of ``(seed, index)``: sample ``i`` draws its task,
image, crop, flips, degradation and (in the unpaired setting) an independent clean
image from a generator seeded by ``seed`` and ``i``. Batches are therefore the
same with 0 or several loader workers, and a resumed run that starts at index
``step * batch`` continues exactly where it stopped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from rcot_lib.images import load_image, to_gray
from rcot_lib.moved_names import forward
from rcot_lib.training_images import (
    Image8,
    load_clean_images,
    load_pair_images,
    resolve_sources,
)


def _mix_seed(seed: int, index: int, salt: int = 0) -> int:
    return (seed * 0x9E3779B1 + index * 0x85EBCA77 + salt * 0xC2B2AE3D) % (2**63)


def _randint(n: int, g: torch.Generator) -> int:
    return int(torch.randint(n, (1,), generator=g))


def random_crop(
    images: Sequence[torch.Tensor], patch: int, g: torch.Generator, flip: bool = True
) -> list[torch.Tensor]:
    """The same random ``patch x patch`` window (and flips) of aligned images.

    Images smaller than ``patch`` are reflect-padded first.

    Parameters
    ----------
    images : sequence of torch.Tensor, shape (C, H, W)
        Images of one size (a degraded image and its ground truth).
    patch : int
    g : torch.Generator
    flip : bool
        Random horizontal and vertical flips.
    """
    h, w = images[0].shape[-2:]
    if h < patch or w < patch:
        ph, pw = max(0, patch - h), max(0, patch - w)
        images = [
            F.pad(im[None].float(), (0, pw, 0, ph), mode="replicate")[0].to(im.dtype)
            for im in images
        ]
        h, w = images[0].shape[-2:]
    top, left = _randint(h - patch + 1, g), _randint(w - patch + 1, g)
    crops = [im[:, top : top + patch, left : left + patch] for im in images]
    if flip:
        hflip, vflip = torch.rand(2, generator=g).lt(0.5).tolist()
        dims = [d for d, f in ((-1, hflip), (-2, vflip)) if f]
        if dims:
            crops = [c.flip(dims) for c in crops]
    return crops


class DegradationMix(torch.utils.data.Dataset):
    """All-in-one training samples ``(x, y, label, paired)``, seeded by index.

    For each sample a task is drawn from ``tasks`` (uniformly, or in proportion
    to ``task_weights``). Tasks with real
    pairs take a real pair with probability ``real_pair_prob``; otherwise a clean
    image is cropped and degraded on the fly. With probability
    ``paired_fraction`` the sample is *paired* (``y`` is the ground truth of
    ``x``); otherwise ``y`` is an independent clean crop, so no pair information
    leaks into the unpaired objective.

    Parameters
    ----------
    clean : list of torch.Tensor, shape (C, H, W), uint8
        Clean images (see :func:`load_clean_images`).
    tasks : sequence of str
        Task names of ``rcot_lib.degrade.TASKS``.
    pairs : dict of str to list of (uint8, uint8), optional
        Real ``(degraded, clean)`` pairs per task.
    patch : int
        Crop size.
    paired_fraction : float
        Probability that a sample is paired (Eq. 9); 0 is the unpaired setting.
    real_pair_prob : float
        Probability that a task with real pairs uses one.
    seed : int
    length : int
        Nominal length (samples are generated for any index).
    degrade : callable, optional
        ``degrade(clean, task, generator) -> degraded`` on ``(B, C, H, W)``;
        default ``rcot_lib.degrade.degrade``.
    task_weights : sequence of float, optional
        Relative frequency of each task (one positive number per task); empty
        or ``None`` draws the tasks uniformly.
    gray_prob : float
        Probability that a synthetic sample is made from the luma of its clean
        crop and degraded in one channel, then repeated to the image's channels
        (a grayscale photograph as an RGB map sees it: the same noise in every
        channel). 0 (the default) never does.

    Returns (per item)
    ------------------
    x, y : torch.Tensor, shape (C, patch, patch), float32 in [0, 1]
    label : torch.Tensor, int64 scalar
    paired : torch.Tensor, bool scalar
    """

    def __init__(
        self,
        clean: list[Image8],
        tasks: Sequence[str],
        pairs: dict[str, list[tuple[Image8, Image8]]] | None = None,
        patch: int = 64,
        paired_fraction: float = 1.0,
        real_pair_prob: float = 0.5,
        seed: int = 0,
        length: int = 10**9,
        degrade: Callable | None = None,
        task_weights: Sequence[float] | None = None,
        gray_prob: float = 0.0,
    ) -> None:
        from rcot_lib.degrade import tasks as D

        if not clean:
            raise ValueError("no clean training images")
        unknown = [t for t in tasks if t not in D.TASKS]
        if unknown or not tasks:
            raise ValueError(
                f"unknown tasks {unknown}; choose from {D.TASKS}"
            )
        self.clean, self.tasks = clean, tuple(tasks)
        self.task_weights = None
        if task_weights:
            w = torch.as_tensor(tuple(task_weights), dtype=torch.float64)
            positive = bool(((w > 0) & w.isfinite()).all())
            if w.shape != (len(self.tasks),) or not positive:
                raise ValueError(
                    f"task_weights must be {len(self.tasks)} positive numbers, one per "
                    f"task of {self.tasks}; got {tuple(task_weights)}"
                )
            self.task_weights = w / w.sum()
        self.pairs = {k: v for k, v in (pairs or {}).items() if v}
        self.labels = {t: int(D.TASK_LABELS[t]) for t in self.tasks}
        self.patch, self.seed, self.length = int(patch), int(seed), int(length)
        self.paired_fraction, self.real_pair_prob = paired_fraction, real_pair_prob
        self.degrade = degrade or D.degrade
        if not 0.0 <= gray_prob <= 1.0:
            raise ValueError(f"gray_prob must be in [0, 1], got {gray_prob}")
        self.gray_prob = float(gray_prob)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int):
        g = torch.Generator().manual_seed(_mix_seed(self.seed, int(index)))
        if self.task_weights is None:
            task = self.tasks[_randint(len(self.tasks), g)]
        else:
            task = self.tasks[int(torch.multinomial(self.task_weights, 1, generator=g))]
        real = self.pairs.get(task)
        k = None  # index of x's clean source among self.clean (None: a real pair)
        if real and float(torch.rand(1, generator=g)) < self.real_pair_prob:
            xu, yu = real[_randint(len(real), g)]
            x, y = (c.float() / 255 for c in random_crop([xu, yu], self.patch, g))
        else:
            k = _randint(len(self.clean), g)
            src = self.clean[k]
            (y,) = random_crop([src], self.patch, g)
            y = y.float() / 255  # (C, P, P)
            # draw only when enabled, so gray_prob = 0 keeps the sample stream
            p = self.gray_prob
            gray = p > 0 and float(torch.rand(1, generator=g)) < p
            if gray:
                y = to_gray(y)
            x = self.degrade(y[None], task, g)[0].clamp(0, 1)
            if gray:  # the same luma and degradation in every channel
                x, y = x.expand(len(src), -1, -1), y.expand(len(src), -1, -1)
        paired = float(torch.rand(1, generator=g)) < self.paired_fraction
        if not paired:  # another clean photograph: a draw of nu, never x's own
            other = self.clean[self._other_image(k, g)]
            (y,) = random_crop([other], self.patch, g)
            y = y.float() / 255
        label = torch.tensor(self.labels[task])
        return x.float(), y.float(), label, torch.tensor(paired)

    def _other_image(self, k: int | None, g: torch.Generator) -> int:
        """A clean image index drawn uniformly among those that are not ``k``."""
        if k is None or len(self.clean) < 2:
            return _randint(len(self.clean), g)
        j = _randint(len(self.clean) - 1, g)
        return j + (j >= k)


def validation_batch(
    tasks: Sequence[str],
    size: int = 96,
    max_images: int = 6,
    seed: int = 12345,
    degrade: Callable | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A fixed validation set: centre crops of ``data_samples/images``, each task.

    These images are neither training nor benchmark images.

    Returns
    -------
    x, y : torch.Tensor, shape (N, 3, size, size)
    labels : torch.Tensor, shape (N,)
    """
    from rcot_lib.degrade import tasks as D
    from rcot_lib.images import sample_images

    degrade = degrade or D.degrade
    crops = []
    for p in sample_images()[:max_images]:
        im = load_image(p)
        h, w = im.shape[-2:]
        s = min(size, h, w)
        top, left = (h - s) // 2, (w - s) // 2
        crops.append(im[:, top : top + s, left : left + s])
    s = min(c.shape[-1] for c in crops)
    y = torch.stack([c[:, :s, :s] for c in crops])  # (M, 3, s, s)
    xs, ys, labels = [], [], []
    for k, task in enumerate(tasks):
        g = torch.Generator().manual_seed(_mix_seed(seed, k, salt=1))
        xs.append(degrade(y, task, g).clamp(0, 1))
        ys.append(y)
        labels += [int(D.TASK_LABELS[task])] * len(y)
    return torch.cat(xs), torch.cat(ys), torch.tensor(labels)


_DATA_CACHE: dict = {}


def from_config(cfg, data: str | os.PathLike | None = None) -> DegradationMix:
    """The training set of a :class:`~rcot_lib.train_config.TrainConfig`.

    Decoded images are cached for the life of the process, so a second run (or a
    notebook cell run again) does not decode them again.
    """
    clean_dirs, pair_dirs = resolve_sources(
        data, cfg.clean_dirs, cfg.pair_sets
    )
    key = tuple(map(str, clean_dirs))
    if key not in _DATA_CACHE:
        _DATA_CACHE[key] = load_clean_images(clean_dirs)
    pairs = {}
    for task, folders in pair_dirs.items():
        if task not in cfg.tasks:
            continue
        for folder in folders:
            if str(folder) not in _DATA_CACHE:
                _DATA_CACHE[str(folder)] = load_pair_images(folder)
            pairs.setdefault(task, []).extend(_DATA_CACHE[str(folder)])
    return DegradationMix(
        _DATA_CACHE[key], cfg.tasks, pairs, cfg.patch, cfg.paired_fraction,
        cfg.real_pair_prob, cfg.seed, task_weights=cfg.task_weights,
        gray_prob=cfg.gray_prob,
    )


#: Names that moved out of this module keep this import path (see
#: :mod:`rcot_lib.moved_names`).
__getattr__ = forward(__name__, {
    "rcot_lib.training_images": (
        "Image8", "load_clean_images", "load_pair_images", "resolve_sources",
    ),
    "rcot_lib.training_loader": (
        "IndexStream", "make_loader",
    ),
})
