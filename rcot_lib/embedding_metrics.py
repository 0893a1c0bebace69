"""Scores and 2-D projections of embeddings (the numbers behind DA-RCOT Fig. 4).

A t-SNE picture is read together with numbers computed on the embeddings
themselves, not on the 2-D projection (whose distances are not metric): the
silhouette score by task, the cross-validated k-NN task accuracy, and whether the
three noise levels are ordered along the first principal direction of the noise
embeddings. :mod:`rcot_lib.embeddings` extracts the embeddings these score.

References
----------
.. [1] L. van der Maaten and G. Hinton, "Visualizing Data using t-SNE", JMLR 2008.
.. [2] P. J. Rousseeuw, "Silhouettes: a graphical aid to the interpretation and
   validation of cluster analysis", J. Comput. Appl. Math. 20, 1987.
"""

from __future__ import annotations

import numpy as np


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
    r"""Mean silhouette of the task labels on L2-normalised embeddings.

    .. math::

        s(i) = \frac{b(i) - a(i)}{\max(a(i), b(i))}

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
    r"""Are the level centroids monotone along the first principal direction?

    The rows of the ``levels`` classes are L2-normalised and centred; ``u`` is
    their first principal direction and the centroids' coordinates
    :math:`c_l = u^\top \bar z_l` are checked for strict monotonicity in the
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
