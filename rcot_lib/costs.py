"""The Fourier-residual-guided transport cost (FROT, Eq. 4) for vectors and images.

Two forms of the same cost

.. math::

    c(x, y) = d(x, y) + \\lambda \\, \\| F(x - y) \\|_p \\qquad \\text{(Eq. 4)}

- for vectors, as pairwise cost matrices in NumPy that POT's solvers take
  (:func:`frot_cost_matrix`), with ``F`` an orthonormal DCT or a DFT;
- for image batches in torch, as the authors' code computes it
  (:func:`frot_image_cost`): the root-mean-square residual plus a Fourier
  penalty ``mean |fft2 r|`` (``p = 1``) or ``sqrt(mean |fft2 r|^2)`` (``p = 2``).

References
----------
.. [1] Tang et al., "Residual-Conditioned Optimal Transport", ICML 2024 (RCOT).
.. [2] Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport for
   Unified Image Restoration", TPAMI 2025 (DA-RCOT).
"""

from __future__ import annotations

import numpy as np
import scipy.fft
import torch

from rcot_lib import image_costs

TRANSFORMS = ("dct", "fft")
NORMS = ("ortho", "backward")
BASES = ("euclidean", "sqeuclidean")
NOISE_LABELS = image_costs.NOISE_LABELS


def _check(name: str, value: object, choices: tuple) -> None:
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not one of {list(choices)}")


def _check_p(p: float) -> None:
    if p not in (1, 2):
        raise ValueError(f"p={p!r}: the FROT cost uses p = 1 or p = 2")


def dct_matrix(d: int) -> np.ndarray:
    """The orthonormal DCT-II matrix ``D`` of size ``(d, d)`` (``D @ v = dct(v)``).

    .. math::

        D_{kn} = s_k \\cos\\left(\\frac{\\pi (2n + 1) k}{2d}\\right),
        \\quad s_0 = \\sqrt{1/d},\\ s_k = \\sqrt{2/d}

    Examples
    --------
    >>> D = dct_matrix(2); np.allclose(D @ D.T, np.eye(2))
    True
    """
    if d < 1:
        raise ValueError(f"dimension d={d} must be positive")
    n = np.arange(d)
    D = np.cos(np.pi * (2 * n[None, :] + 1) * n[:, None] / (2 * d))
    D[0] *= np.sqrt(1.0 / d)
    D[1:] *= np.sqrt(2.0 / d)
    return D


def fourier_coefficients(
    R: np.ndarray, transform: str = "dct", norm: str = "ortho"
) -> np.ndarray:
    """The transform ``F r`` of each row of ``R`` (shape ``(..., d)``).

    ``"dct"`` is the DCT-II (real), ``"fft"`` the DFT (complex); ``norm="ortho"``
    makes both unitary, ``"backward"`` leaves them unnormalised as ``np.fft`` does.
    """
    _check("transform", transform, TRANSFORMS)
    _check("norm", norm, NORMS)
    if transform == "dct":
        return scipy.fft.dct(R, type=2, norm=norm, axis=-1)
    return np.fft.fft(R, norm=norm, axis=-1)


def residual_norm(
    R: np.ndarray, p: float = 1, transform: str = "dct", norm: str = "ortho"
) -> np.ndarray:
    """``|| F r ||_p`` for each row ``r`` of ``R`` (shape ``(..., d)`` -> ``(...)``)."""
    _check_p(p)
    coef = np.abs(fourier_coefficients(R, transform, norm))
    return np.sum(coef, axis=-1) if p == 1 else np.sqrt(np.sum(coef**2, axis=-1))


def frot_cost_matrix(
    X: np.ndarray,
    Y: np.ndarray,
    lam: float = 1.0,
    p: float = 1,
    transform: str = "dct",
    norm: str = "ortho",
    base: str = "euclidean",
) -> np.ndarray:
    """Pairwise FROT costs between the rows of ``X`` and ``Y`` (Eq. 4).

    .. math::

        C_{ij} = d(x_i, y_j) + \\lambda \\, \\| F(x_i - y_j) \\|_p

    where ``d`` is the Euclidean distance (``base="euclidean"``, as in Eq. 4) or its
    square (``base="sqeuclidean"``, the quadratic cost of the 2-D examples).

    Parameters
    ----------
    X : ndarray, shape (n, d)
    Y : ndarray, shape (m, d)
    lam : float
        Weight of the Fourier term; ``0`` gives the plain distance.
    p : {1, 2}
        The norm of the Fourier term.
    transform : {"dct", "fft"}
    norm : {"ortho", "backward"}
        With ``"ortho"`` and ``p = 2`` the Fourier term equals the Euclidean
        distance (Parseval), so only ``p = 1`` changes the geometry.
    base : {"euclidean", "sqeuclidean"}

    Returns
    -------
    C : ndarray, shape (n, m)

    Examples
    --------
    >>> X = np.array([[0.0, 0.0]]); Y = np.array([[3.0, 4.0]])
    >>> float(frot_cost_matrix(X, Y, lam=1.0, p=2)[0, 0])
    10.0
    """
    _check("base", base, BASES)
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must be (n, d) and (m, d); got {X.shape}, {Y.shape}")
    R = X[:, None, :] - Y[None, :, :]  # (n, m, d)
    sq = np.sum(R**2, axis=-1)
    C = sq if base == "sqeuclidean" else np.sqrt(sq)
    if lam:
        C = C + lam * residual_norm(R, p, transform, norm)
    return C


def sqeuclidean_matrix(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Pairwise squared Euclidean costs ``||x_i - y_j||^2``, shape ``(n, m)``."""
    return frot_cost_matrix(X, Y, lam=0.0, base="sqeuclidean")


def frot_cost_pointwise(
    x: torch.Tensor,
    y: torch.Tensor,
    lam: float = 1.0,
    p: float = 1,
    base: str = "sqeuclidean",
) -> torch.Tensor:
    """Row-wise FROT cost in torch (orthonormal DCT), ``(n, d)`` -> ``(n,)``.

    .. math::

        c(x, y) = \\|x - y\\|^2 + \\lambda \\, \\| D (x - y) \\|_p

    (``base="sqeuclidean"``; ``"euclidean"`` takes the unsquared distance). This is
    the cost the 2-D map of :mod:`rcot_lib.neural2d` is trained with (Eq. 4, 5).
    """
    _check_p(p)
    _check("base", base, BASES)
    r = x - y  # (n, d)
    sq = (r**2).sum(-1)
    d = sq if base == "sqeuclidean" else torch.sqrt(sq + 1e-12)
    if not lam:
        return d
    D = torch.as_tensor(dct_matrix(r.shape[-1]), dtype=r.dtype, device=r.device)
    coef = r @ D.T  # (n, d)
    term = coef.abs().sum(-1) if p == 1 else torch.sqrt((coef**2).sum(-1) + 1e-12)
    return d + lam * term


# --- images: thin forms of :mod:`rcot_lib.image_costs` (the one image cost) -----


def rms(r: torch.Tensor) -> torch.Tensor:
    """Root-mean-square of each residual of a batch, ``(B, C, H, W)`` -> ``(B,)``.

    The distance ``d`` of Eq. 4 as the authors' code computes it (float32, a tiny
    constant under the root so the gradient stays finite at ``r = 0``).

    Examples
    --------
    >>> rms(torch.full((2, 1, 2, 2), 0.5)).tolist()
    [0.5, 0.5]
    """
    return image_costs.base_distance(r, "euclidean", "mean")


def fourier_penalty(
    r: torch.Tensor, p: float | torch.Tensor = 1, norm: str = "backward"
) -> torch.Tensor:
    """The code's Fourier term of Eq. 4 for a batch of residuals, ``(B,)``.

    .. math::

        p = 1:\\ \\operatorname{mean} |\\mathcal F r|, \\qquad
        p = 2:\\ \\sqrt{\\operatorname{mean} |\\mathcal F r|^2}

    with ``F`` the 2-D FFT over the spatial axes of each channel; ``p`` is one
    number in ``[0.5, 2]`` or a ``(B,)`` tensor (see :func:`p_for_label`). With
    ``norm="ortho"`` the ``p = 2`` term equals :func:`rms` (Parseval).
    """
    mag = image_costs.transform_magnitudes(r, "fft", norm)
    return image_costs.lp_norm(mag, p, "mean")


def frot_image_cost(
    x: torch.Tensor,
    y: torch.Tensor,
    p: float | torch.Tensor = 1,
    lam: float = 1.0,
    norm: str = "backward",
) -> torch.Tensor:
    """FROT cost of Eq. 4 between image batches as the code computes it, ``(B,)``.

    .. math::

        c(x, y) = \\sqrt{\\operatorname{mean}(r^2)}
        + \\lambda \\, \\| \\mathcal F r \\|_p,
        \\qquad r = x - y

    The authors' member of :class:`rcot_lib.image_costs.FrotCost` (base
    ``"euclidean"``, transform ``"fft"``, reduction ``"mean"``).

    Examples
    --------
    >>> x = torch.zeros(1, 1, 4, 4); y = torch.full((1, 1, 4, 4), 0.5)
    >>> frot_image_cost(x, y, p=2, norm="ortho")
    tensor([1.])
    """
    cost = image_costs.FrotCost("euclidean", lam, 1.0, "fft", norm, "mean")
    return cost(x, y, p=p)


def p_for_label(label: int | torch.Tensor) -> int | torch.Tensor:
    """The Fourier norm ``p`` for a degradation label: 2 for noise (0-2), else 1.

    Labels: denoise_15 0, denoise_25 1, denoise_50 2, derain 3, dehaze 4,
    deblur 5, lowlight 6 (the table is :data:`rcot_lib.image_costs.PAPER_P`).

    Examples
    --------
    >>> p_for_label(1), p_for_label(4)
    (2, 1)
    """
    if isinstance(label, torch.Tensor):
        if bool((label < 0).any()):
            raise ValueError("degradation labels must be non-negative")
        return image_costs.p_for_labels(label).long()
    if int(label) < 0:
        raise ValueError(f"degradation label {label} must be non-negative")
    return int(image_costs.PAPER_P.get(int(label), 1))
