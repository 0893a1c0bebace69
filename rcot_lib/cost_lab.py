r"""The numbers behind the cost-norm widgets: toy problems, plans and cost terms.

Every function computes; :mod:`rcot_lib.viz_costs` draws. The cost is one
member of the FROT family (Eq. 4)

.. math::

    c(x, y) = d(x, y) + \lambda \, \| F(x - y) \|_p ,

in the matrix form of :func:`rcot_lib.costs.frot_cost_matrix` for vectors
(2-D points, 1-D signals) and in the image form of
:mod:`rcot_lib.image_costs` for the residuals of real degradations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import ot
import torch

from rcot_lib import costs, image_costs

DATA = ("points", "signals")


# --- toy problems ------------------------------------------------------------------


def sample_signals(
    n: int = 12, d: int = 16, seed: int = 0, veil: float = 1.5, noise: float = 0.01,
    step: float = 0.2,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""1-D signals whose true pairing leaves residuals that are sparse in the DCT.

    Targets ``y_j`` are random walks (steps ``N(0, step^2)``); each source is a
    target plus a *veil*, an offset and a slow ramp (the first two orthonormal DCT
    basis vectors with ``N(0, veil^2)`` weights, like haze or low light), plus
    white noise of standard deviation ``noise``:

    .. math:: x_i = y_{\sigma(i)} + c_{i0} D_0 + c_{i1} D_1 + \varepsilon_i

    Returns ``(X (n, d), Y (n, d), truth (n,))`` with ``Y[truth[i]]`` the target
    behind ``X[i]``.
    """
    if n < 1 or d < 2:
        raise ValueError(f"need n >= 1 and d >= 2, got n={n}, d={d}")
    rng = np.random.default_rng([seed, 16])
    Y = np.cumsum(rng.normal(0.0, step, (n, d)), axis=1)
    Y -= Y.mean(1, keepdims=True)
    truth = rng.permutation(n)
    D = costs.dct_matrix(d)
    X = Y[truth] + rng.normal(0.0, veil, (n, 2)) @ D[:2] + rng.normal(0, noise, (n, d))
    return X, Y, truth


def lab_problem(data: str = "points", n: int = 12, seed: int = 0) -> dict:
    """A small OT problem: ``{"X", "Y", "a", "b", "truth"}``.

    ``"points"``: two 2-D Gaussian clouds (``N(0, I)`` and ``N((1, 0), I)``),
    uneven source weights ``a`` and uniform ``b``, so the exact plan has to split
    some sources; ``"signals"``: :func:`sample_signals` with ``d = 16`` and
    ``truth`` the planted pairing (``None`` for points), uneven ``b`` and
    ``a = b[truth]``, so the planted pairing is a feasible plan (and a plan that
    misses it has to split sources).
    """
    if data not in DATA:
        raise ValueError(f"data={data!r} is not one of {list(DATA)}")
    rng = np.random.default_rng([seed, 1])
    w = rng.random(n) + 0.5
    w /= w.sum()
    if data == "points":
        X = rng.standard_normal((n, 2))
        Y = rng.standard_normal((n, 2)) + np.array([1.0, 0.0])
        return {"X": X, "Y": Y, "a": w, "b": np.full(n, 1.0 / n), "truth": None}
    X, Y, truth = sample_signals(n, 16, seed)
    return {"X": X, "Y": Y, "a": w[truth], "b": w, "truth": truth}


# --- plans ---------------------------------------------------------------------------


def sparse_share(
    R: np.ndarray, transform: str = "dct", norm: str = "ortho", k: int | None = None,
    tol: float = 0.1, weights: np.ndarray | None = None,
) -> float:
    """Share of residuals (rows of ``R``, ``(n, d)``) that are ``k``-sparse in ``F``.

    A residual counts as sparse when its ``k`` largest coefficients ``|F r|`` hold
    all but ``tol^2`` of its energy (a zero residual counts as sparse); ``k``
    defaults to ``max(1, d // 8)``. In 2-D with ``k = 1`` this is
    :func:`rcot_lib.toy2d.dct_axis_fraction` (``min_k |(D r)_k| < tol ||r||``).
    With ``weights`` (e.g. the plan's masses) the share is weighted.

    Examples
    --------
    >>> sparse_share(np.array([[1.0, 1.0], [1.0, 0.0]]))  # (1, 1) is on a DCT axis
    0.5
    """
    R = np.atleast_2d(np.asarray(R, dtype=float))
    k = max(1, R.shape[1] // 8) if k is None else int(k)
    e = np.sort(np.abs(costs.fourier_coefficients(R, transform, norm)) ** 2, axis=1)
    total = e.sum(1)
    rest = e[:, : max(R.shape[1] - k, 0)].sum(1)
    sparse = rest <= tol**2 * total
    w = np.full(len(R), 1.0) if weights is None else np.asarray(weights, dtype=float)
    return float(np.sum(w * sparse) / np.sum(w))


def plan_summary(
    X: np.ndarray, Y: np.ndarray, a: np.ndarray, b: np.ndarray, lam: float = 1.0,
    p: float = 1.0, transform: str = "dct", base: str = "euclidean",
    norm: str = "ortho", truth: np.ndarray | None = None,
) -> dict:
    """The exact plan (``ot.emd``) under one FROT cost, and what it does.

    Returns
    -------
    dict
        ``C``, ``P`` and ``cost`` (``<C, P>``); ``plan_push`` (``P^T 1``, the
        plan's pushforward of ``a``: equal to ``b``); ``map_push`` (the pushforward
        of the map ``i -> argmax_j P_ij`` read off the plan, which misses ``b``
        wherever a source had to split); ``split`` (sources whose mass goes to
        more than one target); ``residuals`` and ``mass`` (``x_i - y_j`` and
        ``P_ij`` on the support); ``sparse_share`` (:func:`sparse_share` of the
        residuals, weighted by mass); with ``truth``, ``on_truth`` (the mass on
        the planted pairs ``(i, truth[i])``).
    """
    C = costs.frot_cost_matrix(X, Y, lam, p, transform, norm, base)
    P = ot.emd(a, b, C, numItermax=1_000_000)
    i, j = np.nonzero(P > 1e-12 * P.max())
    R = np.asarray(X)[i] - np.asarray(Y)[j]
    out = {
        "C": C, "P": P, "cost": float(np.sum(P * C)), "plan_push": P.sum(0),
        "map_push": np.bincount(P.argmax(1), weights=a, minlength=len(b)),
        "split": int(np.sum(np.count_nonzero(P > 1e-12 * P.max(), axis=1) > 1)),
        "residuals": R, "mass": P[i, j],
        "sparse_share": sparse_share(R, transform, norm, weights=P[i, j]),
    }
    if truth is not None:
        out["on_truth"] = float(P[np.arange(len(truth)), truth].sum())
    return out


def plan_change_lambda(
    X: np.ndarray, Y: np.ndarray, p: float = 1.0, transform: str = "fft",
    norm: str = "ortho", base: str = "euclidean", a: np.ndarray | None = None,
    b: np.ndarray | None = None, lam_max: float = 10.0, grid: int = 200,
) -> float:
    r"""The smallest ``lam`` whose exact plan differs from the plan at ``lam = 0``.

    .. math:: \lambda^\star = \inf\{\lambda \ge 0 : P^\star(\lambda) \ne
        P^\star(0)\}, \quad C(\lambda) = d + \lambda \|F(x_i - y_j)\|_p
        \ \text{(Eq. 4)}

    Every plan's cost is affine in ``lam``, so the optimal plan is piecewise
    constant: a scan of ``grid`` steps up to ``lam_max`` finds the first change,
    and bisection narrows it to ``1e-6``. ``a``, ``b`` default to uniform weights.
    Returns ``inf`` when the plan never changes up to ``lam_max``.
    """
    n, m = len(X), len(Y)
    a = np.full(n, 1.0 / n) if a is None else np.asarray(a, dtype=float)
    b = np.full(m, 1.0 / m) if b is None else np.asarray(b, dtype=float)
    base_cost = costs.frot_cost_matrix(X, Y, 0.0, p, transform, norm, base)
    term = costs.frot_cost_matrix(X, Y, 1.0, p, transform, norm, "none")

    def plan(lam: float) -> np.ndarray:
        return ot.emd(a, b, base_cost + lam * term, numItermax=1_000_000)

    P0 = plan(0.0)
    lo = 0.0
    for hi in np.linspace(0.0, lam_max, grid + 1)[1:]:
        if not np.allclose(plan(hi), P0, rtol=0.0, atol=1e-9):
            break
        lo = hi
    else:
        return math.inf
    while hi - lo > 1e-6:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.allclose(plan(mid), P0, rtol=0.0, atol=1e-9) else (
            lo, mid)
    return float(hi)


# --- image residuals (rcot_lib.image_costs) ----------------------------------------


def _batch(r: torch.Tensor) -> torch.Tensor:
    return r if r.ndim == 4 else r[None]


def cost_terms(
    r: torch.Tensor, p: float = 1.0, lam: float = 1.0, norm: str = "backward",
    transform: str = "fft", reduction: str = "mean",
) -> dict[str, float]:
    """The two terms of Eq. 4 for one residual ``r`` (``(C, H, W)``), as training
    computes them (:class:`rcot_lib.image_costs.FrotCost`, base ``"euclidean"``):
    ``pixel`` (``d``, the RMS with ``"mean"``), ``fourier``
    (``lam ||F r||_p``), their ``ratio`` and the ``total``."""
    r = _batch(r)
    pixel = float(image_costs.base_distance(r, "euclidean", reduction)[0])
    cost = image_costs.FrotCost("euclidean", lam, p, transform, norm, reduction)
    total = float(cost.residual_cost(r)[0])
    fourier = total - pixel
    return {"pixel": pixel, "fourier": fourier, "total": total,
            "ratio": fourier / pixel if pixel > 0 else math.nan}


def price(r: torch.Tensor, ps: Sequence[float], transform: str = "fft") -> np.ndarray:
    r"""The Fourier term per unit of the pixel term, for each ``p``: ``(len(ps),)``.

    .. math:: \pi(p) = \frac{(\operatorname{mean}_k |(F r)_k|^p)^{1/p}}
        {\sqrt{\operatorname{mean}_k r_k^2}}

    with the orthonormal ``F`` (so ``pi(2) = 1``, Parseval). A residual whose
    energy sits in few coefficients has a small price for ``p < 2``; white noise
    has ``Gamma(1 + p/2)^(1/p)`` (:func:`rayleigh_price`).
    """
    r = _batch(r)
    mag = image_costs.transform_magnitudes(r, transform, "ortho")
    rms = image_costs.base_distance(r, "euclidean", "mean")[0]
    return np.array([float(image_costs.lp_norm(mag, float(q), "mean")[0] / rms)
                     for q in ps])


def rayleigh_price(p: float | np.ndarray) -> np.ndarray:
    """:func:`price` of white Gaussian noise for a large image (``|F r|`` is
    Rayleigh distributed): ``Gamma(1 + p/2)^(1/p)``; ``sqrt(pi)/2`` at ``p = 1``."""
    from scipy.special import gamma

    p = np.asarray(p, dtype=float)
    return gamma(1 + p / 2) ** (1 / p)


def crop_terms(
    r: torch.Tensor, sizes: Sequence[int], p: float = 2.0, norm: str = "backward",
    transform: str = "fft",
) -> np.ndarray:
    """``||F r||_p`` (``"mean"`` reduction, the code's) of the central ``s x s``
    crop of ``r`` for each ``s``: ``(len(sizes),)``. With the unnormalised
    transform and ``p = 2`` it is ``sqrt(H W)`` times the crop's RMS."""
    from rcot_lib.images import center_crop

    r = _batch(r)
    out = []
    for s in sizes:
        mag = image_costs.transform_magnitudes(center_crop(r, int(s)), transform, norm)
        out.append(float(image_costs.lp_norm(mag, p, "mean")[0]))
    return np.array(out)


_RESIDUALS: dict[tuple, torch.Tensor] = {}


def task_residual(
    clean: torch.Tensor, task: str, level: float | None = None, seed: int = 0
) -> torch.Tensor:
    """``x - y`` for one clean image ``(C, H, W)`` degraded by ``task``, at the
    default strength or at ``level`` in ``[0, 1]`` (``degradations.level_params``).

    The last few residuals are kept, so a widget that changes only the cost
    redraws without synthesising the degradation again."""
    from rcot_lib import degrade as D

    key = (task, level, seed, tuple(clean.shape), clean.data_ptr(),
           float(clean.double().sum()))
    if key not in _RESIDUALS:
        params = {} if level is None else D.level_params(task, level)
        if len(_RESIDUALS) >= 16:
            _RESIDUALS.pop(next(iter(_RESIDUALS)))
        _RESIDUALS[key] = D.degrade(clean, task, seed, **params) - clean
    return _RESIDUALS[key].clone()


def price_table(
    clean: torch.Tensor, tasks: Sequence[str], ps: Sequence[float] = (0.5, 1.0, 1.5),
    reference: str = "denoise_25", seed: int = 0, transform: str = "fft",
) -> list[dict]:
    """Per task and ``p``: the :func:`price` of its residual relative to that of the
    ``reference`` noise residual of the same image (``< 1``: cheaper than noise
    under the ``l_p`` term, at equal pixel energy). Rows ``{task, p, price,
    relative}``."""
    ref = price(task_residual(clean, reference, seed=seed), ps, transform)
    rows = []
    for task in tasks:
        pr = price(task_residual(clean, task, seed=seed), ps, transform)
        rows += [{"task": task, "p": q, "price": float(v), "relative": float(v / w)}
                 for q, v, w in zip(ps, pr, ref, strict=True)]
    return rows
