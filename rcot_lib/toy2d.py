r"""Toy 2-D distributions and their optimal transport with POT.

Samplers in the style of ``ot.datasets`` (seeded with a ``numpy`` seed), exact
plans (``ot.emd``), entropic plans (``ot.sinkhorn``), barycentric maps, and the
closed-form Wasserstein-2 map between two Gaussians, which serves as a reference.

.. math::

    \min_{P \in \Pi(a, b)} \langle C, P \rangle \quad \text{(Eq. 2)}, \qquad
    \min_{P \in \Pi(a, b)} \langle C, P \rangle - \varepsilon H(P)
    \quad \text{(entropic)}
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import ot

from rcot_lib.costs import frot_cost_matrix

# --- samplers ------------------------------------------------------------------

#: Parameters of the Gaussian pair (also used by the closed-form tests).
GAUSS_SOURCE = (np.zeros(2), np.eye(2))
GAUSS_TARGET = (np.array([2.0, 1.0]), np.array([[1.0, 0.6], [0.6, 0.8]]))
#: Target of the stretch pair: ``N(0, I)`` is stretched along x, squeezed along y.
STRETCH_TARGET = (np.zeros(2), np.diag([4.0, 0.25]))


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)


def sample_gaussian(
    n: int, mean: np.ndarray, cov: np.ndarray, seed: int | None = 0
) -> np.ndarray:
    """``n`` draws of ``N(mean, cov)``, shape ``(n, 2)``."""
    return _rng(seed).multivariate_normal(np.asarray(mean), np.asarray(cov), size=n)


def sample_moons(n: int, noise: float = 0.08, seed: int | None = 0) -> np.ndarray:
    """Two interleaved half circles (as ``sklearn``'s ``make_moons``), ``(n, 2)``."""
    rng = _rng(seed)
    upper = rng.random(n) < 0.5
    t = rng.random(n) * np.pi
    x = np.where(upper, np.cos(t), 1.0 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    pts = np.stack([x, y], 1) + noise * rng.standard_normal((n, 2))
    return (pts - np.array([0.5, 0.25])) * 1.5


def sample_8gaussians(
    n: int, radius: float = 2.0, std: float = 0.2, seed: int | None = 0
) -> np.ndarray:
    """A mixture of 8 Gaussians on a circle of ``radius``, shape ``(n, 2)``."""
    rng = _rng(seed)
    k = rng.integers(0, 8, n)
    angle = 2 * np.pi * k / 8
    centres = radius * np.stack([np.cos(angle), np.sin(angle)], 1)
    return centres + std * rng.standard_normal((n, 2))


def sample_ring(
    n: int, radius: float = 1.0, width: float = 0.05, seed: int | None = 0
) -> np.ndarray:
    """Points on a ring of ``radius`` with radial noise ``width``, shape ``(n, 2)``."""
    rng = _rng(seed)
    angle = rng.random(n) * 2 * np.pi
    r = radius + width * rng.standard_normal(n)
    return np.stack([r * np.cos(angle), r * np.sin(angle)], 1)


def sample_uniform_square(
    n: int, half: float = 1.0, seed: int | None = 0
) -> np.ndarray:
    """Uniform draws on ``[-half, half]^2``, shape ``(n, 2)``."""
    return _rng(seed).uniform(-half, half, (n, 2))


Sampler = Callable[[int, "int | np.random.Generator | None"], np.ndarray]

#: Toy pairs ``name -> (source sampler, target sampler)``; samplers take ``(n, seed)``.
PAIRS: dict[str, tuple[Sampler, Sampler]] = {
    "gaussians": (
        lambda n, seed=0: sample_gaussian(n, *GAUSS_SOURCE, seed=seed),
        lambda n, seed=0: sample_gaussian(n, *GAUSS_TARGET, seed=seed),
    ),
    "square_to_moons": (
        lambda n, seed=0: sample_uniform_square(n, 1.0, seed=seed),
        lambda n, seed=0: sample_moons(n, seed=seed),
    ),
    "8gaussians_to_ring": (
        lambda n, seed=0: sample_8gaussians(n, seed=seed),
        lambda n, seed=0: sample_ring(n, radius=1.0, seed=seed),
    ),
    "gaussian_stretch": (
        lambda n, seed=0: sample_gaussian(n, np.zeros(2), np.eye(2), seed=seed),
        lambda n, seed=0: sample_gaussian(n, *STRETCH_TARGET, seed=seed),
    ),
}


#: Centres of symmetry ``(source, target)``: every pair is point-symmetric about them.
CENTRES: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "gaussians": (GAUSS_SOURCE[0], GAUSS_TARGET[0]),
    "square_to_moons": (np.zeros(2), np.zeros(2)),
    "8gaussians_to_ring": (np.zeros(2), np.zeros(2)),
    "gaussian_stretch": (np.zeros(2), np.zeros(2)),
}


def sample_pair(
    name: str, n: int, seed: int = 0, antithetic: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Source and target samples ``(X, Y)`` of a toy pair, each ``(n, 2)``.

    The two sides use independent streams derived from ``seed``. With
    ``antithetic=True`` half the points are drawn and the other half are their
    mirror images through the distribution's centre of symmetry (:data:`CENTRES`):
    each point still follows the distribution, but the sample means are exact,
    which removes most of the sampling noise of an OT cost (variance reduction).

    Examples
    --------
    >>> X, Y = sample_pair("gaussians", 5, seed=1); X.shape, Y.shape
    ((5, 2), (5, 2))
    """
    if name not in PAIRS:
        raise ValueError(f"unknown toy pair {name!r}; choose one of {list(PAIRS)}")
    src, tgt = PAIRS[name]
    ss = np.random.SeedSequence(seed).spawn(2)
    if not antithetic:
        rngs = [np.random.default_rng(s) for s in ss]
        return src(n, rngs[0]), tgt(n, rngs[1])
    if n % 2:
        raise ValueError(f"antithetic sampling needs an even n; got {n}")
    out = []
    for sampler, rng, centre in zip((src, tgt), ss, CENTRES[name], strict=True):
        half = sampler(n // 2, np.random.default_rng(rng))
        out.append(np.concatenate([half, 2 * centre - half]))
    return out[0], out[1]


# --- plans and maps --------------------------------------------------------------


def uniform(n: int) -> np.ndarray:
    """Uniform weights ``1/n``, shape ``(n,)``."""
    return np.full(n, 1.0 / n)


def cost_matrix(
    X: np.ndarray, Y: np.ndarray, lam: float = 0.0, p: float = 1,
    transform: str = "dct", base: str = "sqeuclidean", norm: str = "ortho",
) -> np.ndarray:
    """The 2-D FROT cost ``||x - y||^2 + lam ||D(x - y)||_p`` (DCT ``D``), ``(n, m)``.

    ``transform``, ``base`` and ``norm`` pick another member of the family (see
    :func:`rcot_lib.costs.frot_cost_matrix`); in 2-D the orthonormal DFT equals
    the DCT, so ``"identity"`` is the one other basis.
    """
    return frot_cost_matrix(X, Y, lam, p, transform, norm, base)


def exact_plan(
    X: np.ndarray, Y: np.ndarray, C: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """Exact OT plan with ``ot.emd`` and its cost ``<C, P>``; ``C`` defaults to squared
    Euclidean. Returns ``(P (n, m), cost)``."""
    C = cost_matrix(X, Y) if C is None else C
    P = ot.emd(uniform(len(X)), uniform(len(Y)), C)
    return P, float(np.sum(P * C))


def exact_cost(X: np.ndarray, Y: np.ndarray, lam: float = 0.0, p: float = 1) -> float:
    """``ot.emd2`` between the empirical measures of ``X``, ``Y`` under the 2-D cost."""
    C = cost_matrix(X, Y, lam, p)
    return float(ot.emd2(uniform(len(X)), uniform(len(Y)), C, numItermax=1_000_000))


def sinkhorn_plan(
    X: np.ndarray, Y: np.ndarray, reg: float, C: np.ndarray | None = None
) -> np.ndarray:
    r"""Entropic OT plan with ``ot.sinkhorn``, shape ``(n, m)``.

    .. math::

        \min_{P \in \Pi(a, b)} \langle C, P \rangle
        + \varepsilon \sum_{ij} P_{ij} (\log P_{ij} - 1)

    The plain (fast) iterations are tried first; when ``reg`` is so small that the
    kernel ``exp(-C / reg)`` underflows, the log-domain solver takes over.
    """
    if reg <= 0:
        raise ValueError(f"reg={reg} must be positive")
    C = cost_matrix(X, Y) if C is None else C
    a, b = uniform(len(X)), uniform(len(Y))
    opts = {"numItermax": 5000, "stopThr": 1e-7, "warn": False}
    with np.errstate(all="ignore"):
        P = ot.sinkhorn(a, b, C, reg, method="sinkhorn", **opts)
    if np.all(np.isfinite(P)) and np.allclose(P.sum(1), a, rtol=1e-3):
        return P
    return ot.sinkhorn(a, b, C, reg, method="sinkhorn_log", **opts)


def barycentric_map(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""The barycentric projection ``T(x_i) = sum_j P_ij y_j / sum_j P_ij``, ``(n, 2)``.

    .. math::

        \hat T(x_i) = \frac{\sum_j P_{ij} y_j}{\sum_j P_{ij}}
    """
    return (P @ Y) / P.sum(1, keepdims=True)


def dct_axis_fraction(R: np.ndarray, tol: float = 0.1, basis: str = "dct") -> float:
    """Fraction of residuals ``r`` (rows of ``R``, ``(n, 2)``) that lie near an axis of
    the DCT basis: ``min_k |(D r)_k| < tol * ||r||`` (sparse in the DCT basis).

    ``basis="identity"`` measures the pixel axes instead (``min_k |r_k|``)."""
    from rcot_lib.costs import dct_matrix

    if basis not in ("dct", "identity"):
        raise ValueError(f"basis={basis!r} is not one of ['dct', 'identity']")
    R = np.asarray(R)
    Z = R @ dct_matrix(R.shape[1]).T if basis == "dct" else R  # (n, 2)
    norm = np.linalg.norm(Z, axis=1)
    keep = norm > 1e-12
    return float(np.mean(np.min(np.abs(Z[keep]), 1) < tol * norm[keep]))


def _sqrtm(S: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh(S)
    return (V * np.sqrt(np.clip(w, 0, None))) @ V.T


def gaussian_map(
    m0: np.ndarray, S0: np.ndarray, m1: np.ndarray, S1: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    r"""Closed-form W2 map between ``N(m0, S0)`` and ``N(m1, S1)``: ``T(x) = A x + t``.

    .. math::

        A = S_0^{-1/2} \left(S_0^{1/2} S_1 S_0^{1/2}\right)^{1/2} S_0^{-1/2},
        \qquad t = m_1 - A m_0

    Returns ``(A (2, 2), t (2,))``.
    """
    r0 = _sqrtm(S0)
    r0_inv = np.linalg.inv(r0)
    A = r0_inv @ _sqrtm(r0 @ S1 @ r0) @ r0_inv
    return A, m1 - A @ m0


def gaussian_w2_squared(
    m0: np.ndarray, S0: np.ndarray, m1: np.ndarray, S1: np.ndarray
) -> float:
    r"""Closed-form ``W2^2`` between two Gaussians (the Bures-Wasserstein formula).

    .. math::

        \|m_0 - m_1\|^2 + \operatorname{tr}\left(S_0 + S_1
        - 2 (S_0^{1/2} S_1 S_0^{1/2})^{1/2}\right)
    """
    r0 = _sqrtm(S0)
    cross = _sqrtm(r0 @ S1 @ r0)
    return float(np.sum((m0 - m1) ** 2) + np.trace(S0 + S1 - 2 * cross))
