"""The degraded images of the embedding study (DA-RCOT Fig. 4), labelled by task.

Rainy, hazy (and low-light) images are the degraded sides of the benchmark pairs;
the other tasks apply seeded synthetic degradations to crops of clean images.
Crops are taken at native resolution, so that the degradations keep their
statistics. :mod:`rcot_lib.embeddings` extracts the embeddings of these images.

References
----------
.. [1] X. Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport
   for Unified Image Restoration", IEEE TPAMI 2025 (Fig. 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

#: Benchmark folders of real degraded images, per task (``<RCOT_DATA>/benchmarks``).
REAL_PAIRS = {
    "derain": ("derain", "Rain100L"),
    "dehaze": ("dehaze", "SOTS-outdoor"),
    "lowlight": ("lowlight", "LOL"),
}
#: The clean images that receive seeded synthetic noise.
CLEAN_SET = ("denoise", "CBSD68")
#: The tasks of the paper's Fig. 4.
FIG4_TASKS = ("denoise_15", "denoise_25", "denoise_50", "derain", "dehaze")


@dataclass
class ImageSet:
    """Degraded crops with their task names.

    Attributes
    ----------
    images : Tensor (N, C, S, S)
        Degraded images in ``[0, 1]``.
    tasks : array (N,)
        Task name of each image.
    sources : dict
        Task -> where its images came from (folder, number of files).
    """

    images: torch.Tensor
    tasks: np.ndarray
    sources: dict = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Images per task, in the order they appear."""
        names = list(dict.fromkeys(self.tasks.tolist()))
        return {t: int(np.sum(self.tasks == t)) for t in names}


def random_crop(image: torch.Tensor, size: int, g: torch.Generator) -> torch.Tensor:
    """A seeded ``size x size`` crop of ``(C, H, W)`` at native resolution.

    Cropping (not resizing) keeps the degradation's statistics: downscaling would
    average the noise away and thin the rain streaks. Images smaller than ``size``
    are first upscaled (bilinear) to fit.
    """
    from rcot_lib.training_data import random_crop as aligned_crop

    h, w = image.shape[-2:]
    if min(h, w) < size:
        scale = size / min(h, w)
        hw = (max(size, round(h * scale)), max(size, round(w * scale)))
        image = F.interpolate(image[None], size=hw, mode="bilinear")[0].clamp(0, 1)
    return aligned_crop([image], size, g, flip=False)[0]  # (C, S, S)


def _crops(files: list, n: int, size: int, g: torch.Generator, desc: str,
           progress: bool) -> torch.Tensor:
    """``n`` crops: files in a seeded order, cycled with new crop positions."""
    from tqdm.auto import tqdm

    from rcot_lib.images import load_image

    order = torch.randperm(len(files), generator=g).tolist()
    cache: dict[int, torch.Tensor] = {}
    out = []
    for i in tqdm(range(n), desc=desc, unit="img", disable=not progress):
        k = order[i % len(files)]
        if k not in cache:
            cache[k] = load_image(files[k], "RGB")  # (3, H, W)
        out.append(random_crop(cache[k], size, g))
    return torch.stack(out)  # (n, 3, S, S)


def degraded_set(
    per_task: int = 100,
    tasks: tuple[str, ...] = FIG4_TASKS,
    size: int = 128,
    seed: int = 0,
    pairs: dict | None = None,
    clean: str | None = None,
    root: str | None = None,
    progress: bool = True,
) -> ImageSet:
    """Degraded ``size x size`` crops, ``per_task`` per task, real where possible.

    Rainy, hazy (and low-light) images are the degraded sides of the benchmark
    pairs (:data:`REAL_PAIRS`, or ``pairs[task]``); the other tasks apply seeded
    synthetic degradations to crops of clean images (CBSD68, or ``clean``). When a
    folder has fewer files than ``per_task``, files are reused with other crop
    positions (``sources`` says how many distinct files). Without ``$RCOT_DATA``
    everything is synthesised from ``data_samples/images``.

    Parameters
    ----------
    per_task : int
        Images per task.
    tasks : tuple of str
        Task names of :data:`rcot_lib.degrade.TASKS`.
    size : int
        Crop side; a multiple of 8 so that ``e3`` is ``(C3, size/8, size/8)``.
    seed : int
        Seed of the file order, the crop positions and the synthetic degradations.
    pairs : dict, optional
        Task -> paired folder, overriding :data:`REAL_PAIRS`.
    clean : str, optional
        Folder of clean images for synthetic tasks.
    root : str, optional
        Data folder instead of ``$RCOT_DATA``.
    """
    from rcot_lib.degrade import TASKS, degrade
    from rcot_lib.environment import benchmark_dir
    from rcot_lib.images import list_images, sample_images
    from rcot_lib.paired_files import find_pairs

    bad = [t for t in tasks if t not in TASKS]
    if bad:
        raise ValueError(f"unknown tasks {bad}; valid tasks: {', '.join(TASKS)}")
    if size % 8 or size < 8:
        raise ValueError(f"size must be a positive multiple of 8, got {size}")
    if per_task < 1:
        raise ValueError(f"per_task must be at least 1, got {per_task}")
    pairs = dict(pairs or {})
    for task, parts in REAL_PAIRS.items():
        folder = benchmark_dir(*parts, root=root)
        if task not in pairs and folder is not None:
            pairs[task] = folder
    clean_dir = clean or benchmark_dir(*CLEAN_SET, root=root)
    clean_files = list_images(clean_dir) if clean_dir else sample_images()
    clean_name = Path(clean_dir).name if clean_dir else "data_samples/images"
    g = torch.Generator().manual_seed(int(seed))
    images, labels, sources = [], [], {}
    for task in tasks:
        if task in pairs:
            files = [d for d, _ in find_pairs(pairs[task], strict=False)]
            x = _crops(files, per_task, size, g, task, progress)
            sources[task] = f"{Path(pairs[task]).name} ({len(files)} files)"
        else:
            x = degrade(_crops(clean_files, per_task, size, g, task, progress), task, g)
            sources[task] = f"{clean_name} ({len(clean_files)} files) + synthetic"
        images.append(x.float().clamp(0, 1))
        labels += [task] * per_task
    return ImageSet(torch.cat(images), np.array(labels), sources)
