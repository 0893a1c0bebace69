"""Residual embeddings of degraded images, and the baseline (DA-RCOT Fig. 4).

DA-RCOT conditions its second pass on embeddings of the first-pass residual
``r0 = x - G(x)`` (Eq. 14-15); the contrastive loss (Eq. 16) pulls the dense
embedding ``e3`` of one degradation together. The paper's Fig. 4 shows this as a
t-SNE of ``e3`` against an embedding of the degraded input itself (PromptIR's
prompts). Here the like-for-like baseline is the map's own deepest encoder feature
of ``x`` in pass 1: same network, same pooling, but no residual.

This module builds the image sets and extracts the embeddings; the scores and
the t-SNE live in :mod:`rcot_lib.embedding_metrics` (and are re-exported here).

References
----------
.. [1] X. Tang et al., "Residual-Conditioned Optimal Transport", ICML 2024.
.. [2] X. Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport
   for Unified Image Restoration", IEEE TPAMI 2025 (Fig. 4, Eq. 14-16).
.. [3] L. van der Maaten and G. Hinton, "Visualizing Data using t-SNE", JMLR 2008.
.. [4] V. Potlapalli et al., "PromptIR: Prompting for All-in-One Blind Image
   Restoration", NeurIPS 2023.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from rcot_lib.embedding_metrics import (  # noqa: F401 (re-exported)
    TsneCache,
    embedding_scores,
    knn_accuracy,
    l2_normalise,
    level_order,
    silhouette,
    tsne_2d,
)

#: Embedding kinds: the residual's dense latent ``e3`` (REGM encoder of
#: ``r0 = x - G(x)``); the baseline (the generator's deepest encoder feature of
#: ``x``; 256 channels in cpu-small against e3's 128); and ``regm_input``, the
#: REGM encoder of ``x`` itself:
#: the same network, width and scale as ``e3``, only the input differs.
KINDS = ("residual", "baseline", "regm_input")
#: Short names for tables and figure panels.
KIND_LABELS = {
    "residual": "residual embedding e3 = E(x - G(x))",
    "baseline": "baseline: generator feature of x",
    "regm_input": "same width: E(x), REGM encoder of x",
}
#: Pooling of a ``(C, h, w)`` feature map into one vector per image.
POOLS = ("flatten", "mean", "meanstd")


# --- degraded image sets --------------------------------------------------------

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
    from rcot_lib.eval_data import find_pairs
    from rcot_lib.images import list_images, sample_images

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


# --- extraction -------------------------------------------------------------------


def pool(feature: torch.Tensor, mode: str = "flatten") -> torch.Tensor:
    """One vector per image from a ``(B, C, h, w)`` feature map.

    ``"flatten"`` keeps every position (``C h w`` numbers): the space in which the
    contrastive loss (Eq. 16) compares L2-normalised ``e3``, hence the space the
    training shapes; it needs a fixed input size, so images are cropped to one
    size. ``"mean"`` (global average, ``C`` numbers) and ``"meanstd"`` (mean and
    standard deviation per channel, ``2 C``) forget where things are and work at
    any size.

    Examples
    --------
    >>> f = torch.ones(2, 4, 3, 3)
    >>> [tuple(pool(f, m).shape) for m in POOLS]
    [(2, 36), (2, 4), (2, 8)]
    """
    if feature.ndim != 4:
        raise ValueError(f"expected a (B, C, h, w) feature, got {tuple(feature.shape)}")
    if mode == "flatten":
        return feature.flatten(1)  # (B, C h w)
    if mode == "mean":
        return feature.mean(dim=(2, 3))  # (B, C)
    if mode == "meanstd":
        return torch.cat([feature.mean(dim=(2, 3)), feature.std(dim=(2, 3))], 1)
    raise ValueError(f"unknown pool {mode!r}; choose from {', '.join(POOLS)}")


def repool(X: np.ndarray, side: int, mode: str) -> np.ndarray:
    """Pool flattened ``(n, C side side)`` embeddings again, as :func:`pool` would.

    One extraction with ``"flatten"`` thus serves every pooling.

    Examples
    --------
    >>> repool(np.ones((2, 4 * 3 * 3)), 3, "mean").shape
    (2, 4)
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] % (side * side):
        raise ValueError(f"cannot view {X.shape} as (n, C, {side}, {side})")
    fmap = torch.from_numpy(X.reshape(len(X), -1, side, side))
    return pool(fmap, mode).numpy()


def input_embedding(T: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Baseline: the deepest pass-1 encoder feature of ``x``, ``(B, C, H/8, W/8)``.

    Like PromptIR's prompts it describes the degraded image itself, not the
    residual ``x - G(x)``; same network, same scale as ``e3``.
    """
    from rcot_lib.models import pad_to_multiple

    xp, _, _ = pad_to_multiple(x, T.multiple)  # (B, C, H', W')
    return T.generator.encode(xp)[-1]


def _both(T: torch.nn.Module, x: torch.Tensor, kinds: tuple[str, ...]) -> dict:
    """Every kind asked for, from one pass-1 encoder run (as ``T.embed`` does)."""
    from rcot_lib.models import pad_to_multiple

    xp, _, _ = pad_to_multiple(x, T.multiple)  # (B, C, H', W')
    feats = T.generator.encode(xp)
    out = {"baseline": feats[-1]} if "baseline" in kinds else {}
    if {"residual", "regm_input"} & set(kinds) and T.regm is None:
        raise ValueError("a map with condition='none' has no REGM encoder")
    if "residual" in kinds:
        r0 = xp - T.generator.decode(xp, feats)  # (B, C, H', W')
        out["residual"] = T.regm.embed(r0)  # (B, C3, H'/8, W'/8)
    if "regm_input" in kinds:
        out["regm_input"] = T.regm.embed(xp)  # (B, C3, H'/8, W'/8)
    return out


def extract(
    T: torch.nn.Module,
    images: torch.Tensor,
    kinds: tuple[str, ...] = KINDS,
    pool_mode: str = "flatten",
    batch_size: int = 16,
    device: str | torch.device = "auto",
    progress: bool = True,
) -> dict[str, np.ndarray]:
    r"""Pooled embeddings of every image, per kind.

    .. math::

        z^{res}_i = \mathrm{pool}(\mathcal{E}(x_i - G(x_i))) \qquad
        z^{base}_i = \mathrm{pool}(\mathcal{E}_G(x_i)) \qquad
        z^{in}_i = \mathrm{pool}(\mathcal{E}(x_i))

    where :math:`\mathcal{E}` is the REGM encoder (Eq. 15) and
    :math:`\mathcal{E}_G` the generator's encoder.

    Parameters
    ----------
    T : TwoPassMap
        A map from :func:`rcot_lib.models.build_map` (trained or not).
    images : Tensor (N, C, H, W)
        Degraded images in ``[0, 1]``, all of one size.
    kinds : tuple of str
        Among :data:`KINDS`.
    pool_mode : str
        One of :data:`POOLS` (see :func:`pool`).
    batch_size : int
    device : str or torch.device
        ``"auto"`` picks CUDA, MPS or the CPU.

    Returns
    -------
    dict
        Kind -> ``float32`` array ``(N, d)``.
    """
    from tqdm.auto import tqdm

    from rcot_lib.device import get_device

    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise ValueError(f"unknown kinds {bad}; choose from {', '.join(KINDS)}")
    if images.ndim != 4:
        raise ValueError(f"expected images (N, C, H, W), got {tuple(images.shape)}")
    pool(torch.zeros(1, 1, 1, 1), pool_mode)  # validate early
    device = get_device(device) if isinstance(device, str) else device
    T = T.to(device).eval()
    out: dict[str, list] = {k: [] for k in kinds}
    starts = range(0, len(images), batch_size)
    with torch.inference_mode():
        for s in tqdm(starts, desc="embeddings", unit="batch", disable=not progress):
            x = images[s : s + batch_size].to(device)  # (b, C, H, W)
            for kind, z in _both(T, x, kinds).items():
                out[kind].append(pool(z, pool_mode).float().cpu())
    return {k: torch.cat(v).numpy() for k, v in out.items()}


def load_for_embedding(
    checkpoint: str | None, device: str | torch.device = "cpu", seed: int = 0,
) -> tuple[torch.nn.Module, str]:
    """A trained map from ``checkpoint``, or a seeded untrained one when it is missing.

    Returns
    -------
    T : TwoPassMap
        In eval mode.
    note : str
        Which weights were used (printed by the notebook and the command).
    """
    from rcot_lib.models import ModelConfig, build_map

    if checkpoint and Path(checkpoint).is_file():
        from rcot_lib.checkpoint import load_map

        T, cfg = load_map(checkpoint, device=device)
        step = f", step {cfg['step']}" if cfg.get("step") is not None else ""
        return T.eval(), f"checkpoint {checkpoint}{step}"
    torch.manual_seed(seed)
    T = build_map(ModelConfig()).to(device).eval()
    what = f"checkpoint {checkpoint} not found" if checkpoint else "no checkpoint"
    return T, (
        f"{what}: UNTRAINED map (random weights, "
        f"seed {seed}); the scores say nothing about the method"
    )
