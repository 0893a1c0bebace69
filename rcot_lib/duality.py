"""Discrete Kantorovich duality: c-transforms, dual and semi-dual (Eq. 2, 3, 5).

For weights ``a`` (n,), ``b`` (m,) and a cost matrix ``C`` (n, m), POT's ``ot.emd``
solves the primal linear programme; this module writes out its dual, the
c-transform that turns the dual into a semi-dual, a gradient-ascent solver of the
semi-dual in torch, and the interchange step that leads from the dual to the
minimax of Eq. 5.

References
----------
.. [1] Tang et al., DA-RCOT, TPAMI 2025, Eq. 2-5.
.. [2] Genevay et al., "Stochastic Optimization for Large-scale Optimal
   Transport", NeurIPS 2016 (the stochastic semi-dual).
.. [3] Seguy et al., "Large-Scale Optimal Transport and Mapping Estimation",
   ICLR 2018 (the regularised stochastic dual, and maps from it).
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import ot
import torch


@contextlib.contextmanager
def single_thread() -> Iterator[None]:
    """Run torch on one CPU thread inside the block (tiny problems run faster so)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _weights(a: np.ndarray, b: np.ndarray, C: np.ndarray) -> None:
    if C.shape != (len(a), len(b)):
        raise ValueError(f"C has shape {C.shape}; expected ({len(a)}, {len(b)})")


def c_transform(g: np.ndarray, C: np.ndarray) -> np.ndarray:
    r"""The c-transform of a target potential, ``g^c_i = min_j C_ij - g_j``, ``(n,)``.

    .. math::

        g^c(x) = \inf_y \; c(x, y) - g(y) \qquad \text{(the } \phi^c
        \text{ of Eq. 3)}

    Examples
    --------
    >>> c_transform(np.array([0.0, 1.0]), np.array([[0.0, 2.0], [3.0, 1.0]]))
    array([0., 0.])
    """
    return np.min(np.asarray(C) - np.asarray(g)[None, :], axis=1)


def c_bar_transform(f: np.ndarray, C: np.ndarray) -> np.ndarray:
    """The transform on the target side, ``f^c_j = min_i C_ij - f_i``, ``(m,)``."""
    return np.min(np.asarray(C) - np.asarray(f)[:, None], axis=0)


def dual_objective(f: np.ndarray, g: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""The dual value ``<a, f> + <b, g>`` (feasible when ``f_i + g_j <= C_ij``).

    .. math::

        \max_{f_i + g_j \le C_{ij}} \;
        \langle a, f \rangle + \langle b, g \rangle
        \qquad \text{(Eq. 3, discrete)}
    """
    return float(np.dot(a, f) + np.dot(b, g))


def semi_dual_objective(
    g: np.ndarray, a: np.ndarray, b: np.ndarray, C: np.ndarray
) -> float:
    r"""The semi-dual ``<a, g^c> + <b, g>``, a lower bound of the OT cost for any ``g``.

    .. math::

        S(g) = \sum_i a_i \min_j (C_{ij} - g_j) + \sum_j b_j g_j
    """
    _weights(a, b, C)
    return dual_objective(c_transform(g, C), g, a, b)


def emd_with_duals(
    a: np.ndarray, b: np.ndarray, C: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    r"""Solve the primal LP with ``ot.emd`` and return ``(P, f, g, cost)``.

    .. math::

        \min_{P \ge 0,\ P 1 = a,\ P^T 1 = b} \langle C, P \rangle
        \qquad \text{(Eq. 2, discrete)}

    ``f`` (n,) and ``g`` (m,) are the dual potentials from POT's log.
    """
    _weights(a, b, C)
    P, log = ot.emd(a, b, C, log=True)
    return P, np.asarray(log["u"]), np.asarray(log["v"]), float(log["cost"])


def solve_dual_lp(
    a: np.ndarray, b: np.ndarray, C: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    r"""Solve the dual LP with SciPy's HiGHS, independently of POT: ``(f, g, value)``.

    .. math::

        \max_{f_i + g_j \le C_{ij}} \; \langle a, f \rangle + \langle b, g \rangle
        \qquad \text{(Eq. 3, discrete)}
    """
    from scipy.optimize import linprog

    _weights(a, b, C)
    n, m = np.shape(C)
    A = np.zeros((n * m, n + m))  # one row per constraint f_i + g_j <= C_ij
    rows = np.arange(n * m)
    A[rows, np.repeat(np.arange(n), m)] = 1.0
    A[rows, n + np.tile(np.arange(m), n)] = 1.0
    res = linprog(-np.concatenate([a, b]), A_ub=A, b_ub=np.ravel(C),
                  bounds=(None, None), method="highs")
    if not res.success:
        raise RuntimeError(f"the dual LP was not solved: {res.message}")
    return res.x[:n], res.x[n:], float(-res.fun)


@dataclass
class SlacknessReport:
    """How well ``(P, f, g)`` satisfy the optimality conditions of the LP."""

    max_violation: float  #: max over (i, j) of ``f_i + g_j - C_ij`` (<= 0 if feasible)
    max_gap_on_support: float  #: max of ``|C_ij - f_i - g_j|`` where ``P_ij > 0``
    support_size: int  #: number of ``P_ij > tol``


def complementary_slackness(
    P: np.ndarray, f: np.ndarray, g: np.ndarray, C: np.ndarray, tol: float = 1e-12
) -> SlacknessReport:
    r"""Check dual feasibility and slackness, ``P_ij > 0 => f_i + g_j = C_ij``.

    .. math::

        P_{ij} \, (C_{ij} - f_i - g_j) = 0 \quad \forall i, j
    """
    slack = np.asarray(C) - f[:, None] - g[None, :]  # (n, m)
    support = P > tol
    gap = float(np.abs(slack[support]).max()) if support.any() else 0.0
    return SlacknessReport(float((-slack).max()), gap, int(support.sum()))


def best_response_map(g: np.ndarray, C: np.ndarray) -> np.ndarray:
    """The map ``T(i) = argmin_j C_ij - g_j`` that attains the c-transform, ``(n,)``."""
    return np.argmin(np.asarray(C) - np.asarray(g)[None, :], axis=1)


def map_objective(
    T: np.ndarray, g: np.ndarray, a: np.ndarray, C: np.ndarray
) -> float:
    r"""``sum_i a_i (C[i, T(i)] - g[T(i)])`` for a map ``T`` given as target indices.

    .. math::

        \mathbb E_\mu\left[c(x, T(x)) - g(T(x))\right] \qquad \text{(Eq. 5)}
    """
    T = np.asarray(T)
    idx = np.arange(len(T))
    return float(np.dot(a, C[idx, T] - g[T]))


def inf_over_maps_brute_force(
    g: np.ndarray, a: np.ndarray, C: np.ndarray, max_maps: int = 200_000
) -> tuple[float, np.ndarray]:
    """The infimum of :func:`map_objective` over *every* map, by enumeration.

    The interchange step of Eq. 5 says this equals ``<a, g^c>``: the infimum over
    maps can be taken point by point. Enumeration makes that an independent check
    (only for tiny problems: ``m ** n`` maps).
    """
    n, m = C.shape
    if m**n > max_maps:
        raise ValueError(
            f"{m}**{n} maps exceed max_maps={max_maps}; use a smaller problem"
        )
    best, best_T = np.inf, None
    for T in itertools.product(range(m), repeat=n):
        value = map_objective(np.array(T), g, a, C)
        if value < best:
            best, best_T = value, np.array(T)
    return best, best_T


def _ascent(g: torch.Tensor, optimizer: str, lr: float, num_steps: int):
    """Optimiser and step schedule of :func:`solve_semi_dual`: Adam with a cosine
    decay, or SGD with the step ``lr / sqrt(t)``."""
    if optimizer == "adam":
        opt = torch.optim.Adam([g], lr=lr)
        return opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, num_steps)
    opt = torch.optim.SGD([g], lr=lr)
    return opt, torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1 / np.sqrt(t + 1))


def solve_semi_dual(
    a: np.ndarray,
    b: np.ndarray,
    C: np.ndarray,
    num_steps: int = 2000,
    lr: float = 0.05,
    batch_size: int | None = None,
    seed: int = 0,
    progress: bool = False,
    optimizer: str = "adam",
) -> tuple[np.ndarray, list[float]]:
    r"""Maximise the semi-dual by (stochastic) gradient ascent in torch.

    .. math::

        \max_g \; \mathbb E_{i \sim a}\left[\min_j C_{ij} - g_j\right]
        + \sum_j b_j g_j

    The gradient with respect to ``g`` is ``b`` minus the mass sent to each target
    by the best-response map (:func:`best_response_map`). With ``batch_size`` the
    expectation over ``i`` is estimated from that many draws per step (the
    stochastic semi-dual of Genevay et al. 2016). ``optimizer="adam"``: Adam with a
    cosine-decayed step; ``"sgd"``: plain (super)gradient ascent with the step
    ``lr / sqrt(t)`` at step ``t = 1, 2, ...`` (the classical rate for a concave,
    non-smooth objective). Both steps are scaled by ``max |C|``.

    Parameters
    ----------
    a : ndarray, shape (n,)
    b : ndarray, shape (m,)
    C : ndarray, shape (n, m)
    num_steps, lr : int, float
    batch_size : int, optional
        Draws of ``i ~ a`` per step; ``None`` uses the exact expectation.
    seed : int
    progress : bool
        Show a ``tqdm.auto`` bar.
    optimizer : {"adam", "sgd"}

    Returns
    -------
    g : ndarray, shape (m,)
        The best potential seen (by exact semi-dual value).
    history : list of float
        The exact semi-dual value after each step (a lower bound of the OT cost).
    """
    from tqdm.auto import trange

    _weights(a, b, C)
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer={optimizer!r} is not one of ['adam', 'sgd']")
    gen = torch.Generator().manual_seed(seed)
    Ct = torch.as_tensor(C, dtype=torch.float64)
    at = torch.as_tensor(a, dtype=torch.float64)
    bt = torch.as_tensor(b, dtype=torch.float64)
    scale = float(np.abs(C).max()) or 1.0
    g = torch.zeros(len(b), dtype=torch.float64, requires_grad=True)
    opt, sched = _ascent(g, optimizer, lr * scale, num_steps)
    history, best, best_g = [], -np.inf, g.detach().numpy().copy()
    with single_thread():
        for _ in trange(num_steps, disable=not progress, desc="semi-dual"):
            if batch_size is None:
                fc = (Ct - g[None, :]).min(1).values  # (n,)
                value = at @ fc + bt @ g
            else:
                idx = torch.multinomial(at, batch_size, replacement=True, generator=gen)
                value = (Ct[idx] - g[None, :]).min(1).values.mean() + bt @ g
            opt.zero_grad()
            (-value).backward()
            opt.step()
            sched.step()
            with torch.no_grad():
                exact = float(at @ (Ct - g[None, :]).min(1).values + bt @ g)
            history.append(exact)
            if exact > best:
                best, best_g = exact, g.detach().numpy().copy()
    return best_g, history
