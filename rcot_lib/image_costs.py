r"""The FROT cost family on image batches (Eq. 4), the one cost training uses.

.. math::

    c(x, y) = d(x, y) + \lambda \, \| \mathcal F (x - y) \|_p \qquad \text{(Eq. 4)}

Every part is a setting:

- ``base`` ``d``: ``"euclidean"`` ``||r||`` (Eq. 4), ``"sqeuclidean"`` ``||r||^2``
  (the quadratic cost of NOT and OTUR, strictly convex), or ``"none"``;
- ``transform`` ``F``: ``"fft"`` (2-D DFT per channel, the papers'), ``"dct"``
  (2-D orthonormal DCT-II, real and free of wrap-around) or ``"identity"`` (the
  pixel basis: a plain ``l_p`` penalty on the residual);
- ``p`` in ``[0.5, 2]``: below 1 ``||.||_p`` is a quasi-norm (the triangle
  inequality fails, and the cost is no longer convex in ``r``); one ``p`` for the
  batch, or one per sample (:func:`p_for_labels`);
- ``norm``: ``"ortho"`` makes ``F`` unitary, so with ``p = 2`` the Fourier term
  equals ``||r||`` (Parseval); ``"backward"`` (the authors' unnormalised FFT) is
  ``sqrt(H W)`` times the orthonormal transform, for ``"dct"`` too (``"identity"``
  ignores it);
- ``reduction``: ``"mean"`` takes power means over the ``N = C H W`` entries
  (the authors' code: ``rms(r)``, ``mean |F r|``, ``sqrt(mean |F r|^2)``);
  ``"sum"`` takes true norms (``||r||_2``, ``(sum |F r|^p)^{1/p}``), the scale at
  which a 1-Lipschitz potential (the WGAN-GP penalty) is measured. The two differ
  by ``N^{1/2}`` (base) and ``N^{1/p}`` (Fourier term); ``"l2"`` takes
  ``sqrt(N)`` times the power means, so that every term is in the units of
  ``||r||_2``: the base is ``||r||_2`` (or its square), the orthonormal ``p = 2``
  term is ``||r||_2`` again, and the ``p = 1`` term is ``0.89 ||r||_2`` for white
  noise and less for a residual that is sparse in the transform. One ``lambda``
  then means the same for every ``p`` and every crop size.

References
----------
.. [1] Tang et al., "Residual-Conditioned Optimal Transport", ICML 2024 (RCOT).
.. [2] Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport for
   Unified Image Restoration", TPAMI 2025 (DA-RCOT; equation numbers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

BASES = ("euclidean", "sqeuclidean", "none")
TRANSFORMS = ("fft", "dct", "identity")
NORMS = ("ortho", "backward")
REDUCTIONS = ("mean", "sum", "l2")
P_RANGE = (0.5, 2.0)
#: Degradation labels of the code: 0-2 are the three noise levels.
NOISE_LABELS = (0, 1, 2)
#: The papers' rule (``docs/method.md`` section 2): ``p = 2`` for white noise, else 1.
PAPER_P = {0: 2.0, 1: 2.0, 2: 2.0, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0}


def check_choice(name: str, value: object, choices: tuple) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not one of {list(choices)}")


def check_p(p: float | torch.Tensor) -> None:
    """Raise ``ValueError`` unless every ``p`` lies in ``[0.5, 2]``."""
    lo, hi = P_RANGE
    vals = p.flatten().tolist() if isinstance(p, torch.Tensor) else [p]
    bad = [v for v in vals if not (lo <= float(v) <= hi)]
    if bad:
        raise ValueError(f"p={bad[0]!r} is outside [{lo}, {hi}] (the FROT exponent)")


def p_for_labels(
    labels: torch.Tensor, table: dict[int, float] | None = None
) -> torch.Tensor:
    """The exponent ``p`` of each sample from its degradation label, ``(B,)``.

    ``table`` maps labels to ``p`` (default :data:`PAPER_P`: 2 for noise, 1 else).

    Examples
    --------
    >>> p_for_labels(torch.tensor([1, 4])).tolist()
    [2.0, 1.0]
    """
    table = PAPER_P if table is None else table
    missing = sorted({int(v) for v in labels.tolist()} - set(table))
    if missing:
        raise ValueError(
            f"no p for degradation labels {missing}; known: {sorted(table)}"
        )
    lut = torch.zeros(max(table) + 1, dtype=torch.float32)
    for k, v in table.items():
        lut[k] = float(v)
    return lut.to(labels.device)[labels.long()]


def dct2(r: torch.Tensor, inverse: bool = False) -> torch.Tensor:
    """The orthonormal 2-D DCT-II over the last two axes (or its inverse)."""
    from rcot_lib.costs import dct_matrix  # the tested 1-D matrix

    h, w = r.shape[-2:]
    dh = torch.as_tensor(dct_matrix(h), dtype=r.dtype, device=r.device)
    dw = torch.as_tensor(dct_matrix(w), dtype=r.dtype, device=r.device)
    return dh.T @ r @ dw if inverse else dh @ r @ dw.T  # (..., H, W)


def transform_magnitudes(
    r: torch.Tensor, transform: str = "fft", norm: str = "backward"
) -> torch.Tensor:
    """``|F r|`` per sample, flattened: ``(B, C, H, W)`` -> ``(B, C H W)``."""
    check_choice("transform", transform, TRANSFORMS)
    check_choice("norm", norm, NORMS)
    if r.ndim != 4:
        raise ValueError(f"residuals must be (B, C, H, W); got shape {tuple(r.shape)}")
    r = r.float()
    if transform == "fft":
        coef = torch.fft.fft2(r, norm=norm).abs()
    elif transform == "dct":
        coef = dct2(r).abs()
        if norm == "backward":
            coef = coef * math.sqrt(r.shape[-2] * r.shape[-1])
    else:
        coef = r.abs()
    return coef.flatten(1)


def lp_norm(
    mag: torch.Tensor, p: float | torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    r"""``(mean |z|^p)^{1/p}`` (``"mean"``) or ``(sum |z|^p)^{1/p}`` per row, ``(B,)``.

    ``"l2"`` is ``sqrt(n)`` times the ``"mean"`` form (``n`` entries per row).

    ``p`` is a number or a ``(B,)`` tensor; ``p = 1`` and ``p = 2`` take the
    exact forms; other ``p`` smooth ``|z|`` as ``sqrt(z^2 + 1e-12)`` so that the
    gradient stays finite at 0 (for ``p < 1`` it is unbounded near 0).

    Examples
    --------
    >>> z = torch.tensor([[3.0, 4.0]])
    >>> lp_norm(z, 2, "sum").item(), lp_norm(z, 1, "mean").item()
    (5.0, 3.5)
    """
    check_choice("reduction", reduction, REDUCTIONS)
    check_p(p)
    agg = (lambda v: v.sum(1)) if reduction == "sum" else (lambda v: v.mean(1))
    scale = math.sqrt(mag.shape[1]) if reduction == "l2" else 1.0

    def one(q: float) -> torch.Tensor:
        if q == 1:
            return scale * agg(mag)
        if q == 2:
            return scale * agg(mag.pow(2)).add(1e-12).sqrt()
        return scale * agg(mag.pow(2).add(1e-12).pow(q / 2)).pow(1 / q)

    if not isinstance(p, torch.Tensor):
        return one(float(p))
    p = p.to(mag.device)
    if p.shape != mag.shape[:1]:
        raise ValueError(
            f"per-sample p must have shape ({len(mag)},), got {tuple(p.shape)}"
        )
    out = mag.new_zeros(len(mag))
    for q in torch.unique(p).tolist():
        out = torch.where(p == q, one(q), out)
    return out


def base_distance(r: torch.Tensor, base: str = "euclidean",
                  reduction: str = "mean") -> torch.Tensor:
    """``d`` of Eq. 4 for a batch of residuals ``(B, C, H, W)`` -> ``(B,)``.

    ``"euclidean"`` with ``"mean"`` is the RMS of the authors' code; ``"sum"``
    and ``"l2"`` give ``||r||_2``; ``"sqeuclidean"`` the square of either.
    """
    check_choice("base", base, BASES)
    check_choice("reduction", reduction, REDUCTIONS)
    sq = r.float().pow(2).flatten(1)
    sq = sq.mean(1) if reduction == "mean" else sq.sum(1)  # "sum" and "l2"
    if base == "sqeuclidean":
        return sq
    if base == "euclidean":
        return sq.add(1e-12).sqrt()
    return sq * 0.0


@dataclass(frozen=True)
class FrotCost:
    r"""One member of the FROT cost family (Eq. 4) on image batches.

    .. math:: c(x, y) = d(x - y) + \lambda\, \|\mathcal F(x - y)\|_p

    Calling it on ``(x, y)`` (both ``(B, C, H, W)``) returns the cost of each
    pair, ``(B,)``; ``p`` (``(B,)`` tensor) overrides :attr:`p` per sample.

    Examples
    --------
    >>> c = FrotCost(base="euclidean", lam=1.0, p=2, norm="ortho")
    >>> c(torch.zeros(1, 1, 4, 4), torch.full((1, 1, 4, 4), 0.5))
    tensor([1.])
    """

    base: str = "euclidean"
    lam: float = 1.0
    p: float = 1.0
    transform: str = "fft"
    norm: str = "backward"
    reduction: str = "mean"

    def __post_init__(self) -> None:
        check_choice("base", self.base, BASES)
        check_choice("transform", self.transform, TRANSFORMS)
        check_choice("norm", self.norm, NORMS)
        check_choice("reduction", self.reduction, REDUCTIONS)
        check_p(self.p)

    def residual_cost(
        self, r: torch.Tensor, p: float | torch.Tensor | None = None
    ) -> torch.Tensor:
        """The cost of residuals ``r = x - y``, ``(B, C, H, W)`` -> ``(B,)``."""
        cost = base_distance(r, self.base, self.reduction)
        if self.lam:
            mag = transform_magnitudes(r, self.transform, self.norm)
            cost = cost + self.lam * lp_norm(mag, self.p if p is None else p,
                                             self.reduction)
        return cost

    def __call__(self, x: torch.Tensor, y: torch.Tensor,
                 p: float | torch.Tensor | None = None) -> torch.Tensor:
        if x.shape != y.shape:
            raise ValueError(
                f"x and y shapes differ: {tuple(x.shape)} vs {tuple(y.shape)}"
            )
        return self.residual_cost(x - y, p)


def task_p_table(
    tasks: Sequence[str], task_p: Sequence[float] = ()
) -> dict[int, float]:
    """Label -> ``p`` for training: the paper's rule, or one ``p`` per task.

    Examples
    --------
    >>> task_p_table(("denoise_25", "derain"), (1.0, 0.5))
    {0: 2.0, 1: 1.0, 2: 2.0, 3: 0.5, 4: 1.0, 5: 1.0, 6: 1.0}
    """
    from rcot_lib.degrade import TASK_LABELS

    table = dict(PAPER_P)
    if task_p:
        if len(task_p) != len(tasks):
            raise ValueError(
                f"task_p must give one p per task of {tuple(tasks)}; "
                f"got {tuple(task_p)}"
            )
        for task, p in zip(tasks, task_p, strict=True):
            check_p(float(p))
            table[TASK_LABELS[task]] = float(p)
    return table
