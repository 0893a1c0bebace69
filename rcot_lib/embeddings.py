"""Residual embeddings of degraded images: extraction, t-SNE and scores (Fig. 4).

DA-RCOT conditions its second pass on embeddings of the first-pass residual
``r0 = x - G(x)`` (Eq. 14-15); the contrastive loss (Eq. 16) pulls the dense
embedding ``e3`` of one degradation together. The paper's Fig. 4 shows this as a
t-SNE of ``e3`` against an embedding of the degraded input itself (PromptIR's
prompts). Here the like-for-like baseline is the map's own deepest encoder feature
of ``x`` in pass 1: same network, same pooling, but no residual.

The pictures are read together with numbers computed on the embeddings, not on
the 2-D t-SNE (whose distances are not metric): the silhouette score by task, the
cross-validated k-NN task accuracy, and whether the three noise levels are
ordered along the first principal direction of the noise embeddings.

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

#: Embedding kinds: the residual's dense latent ``e3``, and the baseline.
KINDS = ("residual", "baseline")
#: Pooling of a ``(C, h, w)`` feature map into one vector per image.
POOLS = ("flatten", "mean", "meanstd")


def _as_2d(X: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X, labels = np.asarray(X, dtype=np.float64), np.asarray(labels)
    if X.ndim != 2 or len(X) != len(labels):
        raise ValueError(
            f"expected embeddings (n, d) and labels (n,), got {X.shape} and "
            f"{labels.shape}"
        )
    return X, labels


def l2_normalise(X: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Rows scaled to unit norm: the geometry of Eq. 16's cosine ``z_i . z_j``.

    Examples
    --------
    >>> l2_normalise(np.array([[3.0, 4.0]]))
    array([[0.6, 0.8]])
    """
    X = np.asarray(X, dtype=np.float64)
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), eps)


def silhouette(X: np.ndarray, labels: np.ndarray, normalise: bool = True) -> float:
    """Mean silhouette of the task labels on L2-normalised embeddings.

    .. math::

        s(i) = \\frac{b(i) - a(i)}{\\max(a(i), b(i))}

    where :math:`a(i)` is the mean distance of :math:`z_i` to its own task and
    :math:`b(i)` to the nearest other task; 1 means tight, separated clusters, 0
    overlapping ones.

    Parameters
    ----------
    X : array (n, d)
        Embeddings, one row per image (normalised to unit norm here).
    labels : array (n,)
        Task of each row (at least two distinct values).
    normalise : bool
        L2-normalise the rows first (False for 2-D t-SNE coordinates).
    """
    from sklearn.metrics import silhouette_score

    X, labels = _as_2d(X, labels)
    if len(np.unique(labels)) < 2:
        raise ValueError("silhouette needs at least two distinct labels")
    X = l2_normalise(X) if normalise else X
    return float(silhouette_score(X, labels, metric="euclidean"))


def knn_accuracy(
    X: np.ndarray, labels: np.ndarray, k: int = 5, folds: int = 5, seed: int = 0,
    normalise: bool = True,
) -> float:
    """Stratified cross-validated accuracy of a ``k``-NN task classifier.

    Parameters
    ----------
    X : array (n, d)
        Embeddings (L2-normalised here, so neighbours are by cosine similarity).
    labels : array (n,)
        Task of each row.
    k : int
        Neighbours (5).
    folds : int
        Cross-validation folds; fewer when the smallest class is smaller.
    seed : int
        Seed of the fold shuffle.
    normalise : bool
        L2-normalise the rows first (False for 2-D t-SNE coordinates).

    Returns
    -------
    float
        Mean held-out accuracy; chance is the largest class fraction.
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    X, labels = _as_2d(X, labels)
    _, counts = np.unique(labels, return_counts=True)
    folds = min(folds, int(counts.min()))
    if folds < 2 or len(counts) < 2:
        raise ValueError("knn_accuracy needs two labels with at least 2 rows each")
    n_train = len(X) - len(X) // folds
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    clf = KNeighborsClassifier(n_neighbors=min(k, n_train))
    X = l2_normalise(X) if normalise else X
    return float(cross_val_score(clf, X, labels, cv=cv).mean())


def level_order(
    X: np.ndarray, labels: np.ndarray,
    levels: tuple = ("denoise_15", "denoise_25", "denoise_50"), normalise: bool = True,
) -> tuple[bool, np.ndarray]:
    """Are the level centroids monotone along the first principal direction?

    The rows of the ``levels`` classes are L2-normalised and centred; ``u`` is
    their first principal direction and the centroids' coordinates
    :math:`c_l = u^\\top \\bar z_l` are checked for strict monotonicity in the
    given order (either direction: the sign of ``u`` is arbitrary).

    Returns
    -------
    ordered : bool
    coords : array (len(levels),)
        The centroids' coordinates along ``u``.

    Examples
    --------
    >>> X = np.array([[1.0, 0], [1, 0.1], [1, 0.5], [1, 0.6], [1, 1], [1, 1.1]])
    >>> level_order(X, np.repeat(["a", "b", "c"], 2), ("a", "b", "c"))[0]
    True
    """
    X, labels = _as_2d(X, labels)
    missing = [lv for lv in levels if not np.any(labels == lv)]
    if missing or len(levels) < 2:
        raise ValueError(f"level_order: no rows labelled {missing} (levels={levels})")
    mask = np.isin(labels, levels)
    Z = l2_normalise(X[mask]) if normalise else X[mask]
    Z = Z - Z.mean(axis=0)
    u = np.linalg.svd(Z, full_matrices=False)[2][0]  # (d,)
    coords = np.array([Z[labels[mask] == lv].mean(axis=0) @ u for lv in levels])
    steps = np.diff(coords)
    return bool(np.all(steps > 0) or np.all(steps < 0)), coords


def embedding_scores(
    X: np.ndarray, labels: np.ndarray, k: int = 5, seed: int = 0,
    levels: tuple = ("denoise_15", "denoise_25", "denoise_50"),
    normalise: bool = True,
) -> dict:
    """Silhouette, k-NN accuracy and noise-level order of one embedding.

    All three are computed on the L2-normalised rows (``normalise=False`` for
    coordinates such as a 2-D t-SNE, where the level order then uses the raw rows).

    Returns
    -------
    dict
        ``silhouette``, ``knn_accuracy``, ``knn_chance``,
        ``noise_levels_ordered`` (``None`` when fewer than two levels are present)
        and ``silhouette_levels_merged``: the silhouette with the noise levels as
        one class (the paper expects them *near* each other; ``None`` when that
        leaves fewer than two classes).
    """
    X, labels = _as_2d(X, labels)
    _, counts = np.unique(labels, return_counts=True)
    present = tuple(lv for lv in levels if np.any(labels == lv))
    merged = np.where(np.isin(labels, levels), "noise", labels)
    return {
        "silhouette": silhouette(X, labels, normalise),
        "silhouette_levels_merged": (
            silhouette(X, merged, normalise) if len(np.unique(merged)) >= 2 else None
        ),
        "knn_accuracy": knn_accuracy(X, labels, k=k, seed=seed, normalise=normalise),
        "knn_chance": float(counts.max() / counts.sum()),
        "noise_levels_ordered": (
            level_order(X, labels, present, normalise)[0]
            if len(present) >= 2 else None
        ),
    }


def tsne_2d(
    X: np.ndarray, perplexity: float = 30.0, seed: int = 0, max_iter: int = 1000,
    pca_dims: int = 50,
) -> np.ndarray:
    """2-D t-SNE (scikit-learn, PCA initialisation) of L2-normalised embeddings.

    Rows are normalised, then reduced to ``pca_dims`` principal components (the
    usual t-SNE preprocessing; it keeps the cost independent of ``d``).

    Parameters
    ----------
    X : array (n, d)
    perplexity : float
        Effective number of neighbours; clipped below ``n - 1``.
    seed : int
        ``random_state`` of PCA and t-SNE: the same seed gives the same picture.
    max_iter : int
        Optimisation steps (at least 250).

    Returns
    -------
    array (n, 2)
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    X = l2_normalise(X)
    n = len(X)
    if n < 4:
        raise ValueError(f"t-SNE needs at least 4 rows, got {n}")
    dims = min(pca_dims, n, X.shape[1])
    if X.shape[1] > dims:
        X = PCA(n_components=dims, random_state=seed).fit_transform(X)
    tsne = TSNE(
        n_components=2, perplexity=min(float(perplexity), (n - 1) / 3.0),
        init="pca", random_state=seed, max_iter=max(250, int(max_iter)),
        learning_rate="auto",
    )
    # torch and scikit-learn each load an OpenMP runtime; with both in one process
    # the Barnes-Hut gradient spins (~50x slower here). One thread avoids it.
    with threadpool_limits(1, user_api="openmp"):
        return tsne.fit_transform(X).astype(np.float32)


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
    from rcot_lib.datasets import random_crop as aligned_crop

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

    from rcot_lib.data import load_image

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
        Task names of :data:`rcot_lib.degradations.TASKS`.
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
    from rcot_lib.config import benchmark_dir
    from rcot_lib.data import find_pairs, list_images, sample_images
    from rcot_lib.degradations import TASKS, degrade

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
    """``e3`` and the baseline from one pass-1 encoder run (as ``T.embed`` does)."""
    from rcot_lib.models import pad_to_multiple

    xp, _, _ = pad_to_multiple(x, T.multiple)  # (B, C, H', W')
    feats = T.generator.encode(xp)
    out = {"baseline": feats[-1]} if "baseline" in kinds else {}
    if "residual" in kinds:
        if T.regm is None:
            raise ValueError("a map with condition='none' has no residual embedding")
        r0 = xp - T.generator.decode(xp, feats)  # (B, C, H', W')
        out["residual"] = T.regm.embed(r0)  # (B, C3, H'/8, W'/8)
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
    """Pooled embeddings of every image, per kind.

    .. math::

        z^{res}_i = \\mathrm{pool}(e_3(x_i)), \\quad e_3 = \\mathcal{E}(x_i - G(x_i))
        \\qquad z^{base}_i = \\mathrm{pool}(\\mathcal{E}_G(x_i))

    where :math:`\\mathcal{E}` is the REGM encoder (Eq. 15) and
    :math:`\\mathcal{E}_G` the generator's encoder.

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


class TsneCache:
    """t-SNE projections of extracted embeddings, memoised per setting.

    A widget redraw with a setting seen before costs nothing; a new one runs
    :func:`tsne_2d` once on the rows of the chosen tasks.

    Parameters
    ----------
    features : dict
        Kind -> ``(n, d)`` embeddings (from :func:`extract`).
    tasks : array (n,)
        Task name of each row.
    seed, max_iter, pca_dims
        Passed to :func:`tsne_2d`.
    """

    def __init__(self, features: dict, tasks: np.ndarray, seed: int = 0,
                 max_iter: int = 1000, pca_dims: int = 50) -> None:
        self.features, self.tasks = features, np.asarray(tasks)
        self.seed, self.max_iter, self.pca_dims = seed, max_iter, pca_dims
        self._memo: dict = {}

    def get(self, kind: str, perplexity: float = 30.0,
            tasks: tuple[str, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(Y (m, 2), tasks (m,))`` for one kind, perplexity and task subset."""
        if kind not in self.features:
            raise ValueError(f"unknown kind {kind!r}; have {sorted(self.features)}")
        tasks = tuple(dict.fromkeys(self.tasks.tolist())) if tasks is None else tasks
        key = (kind, float(perplexity), tuple(tasks))
        if key not in self._memo:
            mask = np.isin(self.tasks, tasks)
            if mask.sum() < 4:
                raise ValueError(f"too few images for t-SNE in tasks {tasks}")
            Y = tsne_2d(self.features[kind][mask], perplexity, self.seed,
                        self.max_iter, self.pca_dims)
            self._memo[key] = (Y, self.tasks[mask])
        return self._memo[key]


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
