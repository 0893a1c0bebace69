r"""The Fourier-residual-guided transport cost (FROT, Eq. 4) for vectors and images.

Two forms of one cost family

.. math::

    c(x, y) = d(x, y) + \lambda \, \| F(x - y) \|_p \qquad \text{(Eq. 4)}

- for vectors, as pairwise cost matrices in NumPy that POT's solvers take
  (:func:`frot_cost_matrix`), and row by row in torch (:func:`frot_cost_pointwise`);
- for image batches in torch (:func:`frot_image_cost`, the authors' member of
  :class:`rcot_lib.image_costs.FrotCost`).

Both take the same settings: ``base`` ``d`` in ``{"euclidean", "sqeuclidean",
"none"}``; ``transform`` ``F`` in ``{"dct", "fft", "identity"}`` (1-D along the
vector, or 2-D when a vector is a flattened ``shape = (h, w)`` patch); any ``p``
in ``[0.5, 2]`` (below 1 a quasi-norm); ``norm`` ``"ortho"`` (unitary ``F``) or
``"backward"`` (``sqrt(d)`` times the unitary one, for the DCT too).

References: Tang et al., "Residual-Conditioned Optimal Transport", ICML 2024
(RCOT); "Degradation-Aware Residual-Conditioned Optimal Transport for Unified
Image Restoration", TPAMI 2025 (DA-RCOT).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.fft
import torch

from rcot_lib import image_costs

TRANSFORMS = ("dct", "fft", "identity")
NORMS = ("ortho", "backward")
BASES = ("euclidean", "sqeuclidean", "none")
P_RANGE = image_costs.P_RANGE
NOISE_LABELS = image_costs.NOISE_LABELS


def _check_all(p: float, transform: str, norm: str, base: str = "none") -> None:
    image_costs.check_p(p)
    for name, value, choices in (("transform", transform, TRANSFORMS),
                                 ("norm", norm, NORMS), ("base", base, BASES)):
        image_costs.check_choice(name, value, choices)


def dct_matrix(d: int) -> np.ndarray:
    r"""The orthonormal DCT-II matrix ``D`` of size ``(d, d)`` (``D @ v = dct(v)``).

    .. math::

        D_{kn} = s_k \cos\left(\frac{\pi (2n + 1) k}{2d}\right),
        \quad s_0 = \sqrt{1/d},\ s_k = \sqrt{2/d}

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
    R: np.ndarray, transform: str = "dct", norm: str = "ortho",
    shape: tuple[int, int] | None = None,
) -> np.ndarray:
    """The transform ``F r`` of each row of ``R`` (shape ``(..., d)`` -> ``(..., d)``).

    ``"dct"`` is the DCT-II (real), ``"fft"`` the DFT (complex), ``"identity"``
    returns ``R`` (the pixel basis). ``norm="ortho"`` makes both transforms
    unitary; ``"backward"`` multiplies them by ``sqrt(d)`` (``np.fft``'s
    unnormalised DFT; the same factor for the DCT, as in
    :mod:`rcot_lib.image_costs`). With ``shape=(h, w)`` each row is a flattened
    ``h x w`` patch and the transform is 2-D.
    """
    image_costs.check_choice("transform", transform, TRANSFORMS)
    image_costs.check_choice("norm", norm, NORMS)
    R = np.asarray(R)
    if transform == "identity":
        return R
    d, axes = R.shape[-1], (-1,)
    if shape is not None:
        if len(shape) != 2 or shape[0] * shape[1] != d:
            raise ValueError(f"shape={shape} does not hold rows of length {d}")
        R, axes = R.reshape(*R.shape[:-1], *shape), (-2, -1)
    if transform == "dct":
        coef = scipy.fft.dctn(R, type=2, norm="ortho", axes=axes)
        coef = coef * math.sqrt(d) if norm == "backward" else coef
    else:
        coef = scipy.fft.fftn(R, norm=norm, axes=axes)
    return coef.reshape(*coef.shape[: coef.ndim - len(axes)], d)


def _lp(mag: np.ndarray, p: float) -> np.ndarray:
    if p == 2:
        return np.sqrt(np.sum(mag**2, axis=-1))
    return np.sum(mag, axis=-1) if p == 1 else np.sum(mag**p, axis=-1) ** (1.0 / p)


def residual_norm(
    R: np.ndarray, p: float = 1, transform: str = "dct", norm: str = "ortho",
    shape: tuple[int, int] | None = None,
) -> np.ndarray:
    """``||F r||_p = (sum_k |(F r)_k|^p)^(1/p)`` per row ``r``, ``(..., d) -> (...)``.

    ``p`` is any number in ``[0.5, 2]``; below 1 this is a quasi-norm (the
    triangle inequality fails; ``||a + b||_p <= 2^(1/p - 1) (||a||_p + ||b||_p)``).
    """
    _check_all(p, transform, norm)
    return _lp(np.abs(fourier_coefficients(R, transform, norm, shape)), p)


def frot_cost_matrix(
    X: np.ndarray,
    Y: np.ndarray,
    lam: float = 1.0,
    p: float = 1,
    transform: str = "dct",
    norm: str = "ortho",
    base: str = "euclidean",
    shape: tuple[int, int] | None = None,
) -> np.ndarray:
    r"""Pairwise FROT costs between the rows of ``X`` and ``Y`` (Eq. 4).

    .. math::

        C_{ij} = d(x_i, y_j) + \lambda \, \| F(x_i - y_j) \|_p

    Parameters
    ----------
    X, Y : ndarray, shapes (n, d) and (m, d)
    lam : float
        Weight of the Fourier term (``0``: the plain distance).
    p : float in [0.5, 2]
        Exponent of the Fourier term; ``p < 1`` is a quasi-norm, which rewards
        sparse residuals more strongly than ``p = 1`` (and is not convex in ``r``).
    transform : {"dct", "fft", "identity"}
        ``"identity"``: a plain ``l_p`` penalty on the residual itself.
    norm : {"ortho", "backward"}
        With ``"ortho"`` and ``p = 2`` the Fourier term equals the Euclidean
        distance (Parseval): with ``base="euclidean"`` the cost is then
        ``(1 + lam) ||x - y||``, the same plan; other ``p`` change the geometry.
    base : {"euclidean", "sqeuclidean", "none"}
        ``||x - y||`` (Eq. 4), its square (the quadratic cost of the 2-D maps), or
        no distance term.
    shape : (int, int), optional
        Rows are flattened ``h x w`` patches: the transform is 2-D.

    Returns ``C``, shape ``(n, m)``.

    Examples
    --------
    >>> X = np.array([[0.0, 0.0]]); Y = np.array([[3.0, 4.0]])
    >>> float(frot_cost_matrix(X, Y, lam=1.0, p=2)[0, 0])
    10.0
    """
    _check_all(p, transform, norm, base)
    X, Y = (np.asarray(Z, dtype=float) for Z in (X, Y))
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must be (n, d) and (m, d); got {X.shape}, {Y.shape}")
    sq = np.sum((X[:, None, :] - Y[None, :, :]) ** 2, axis=-1)  # (n, m)
    C = {"sqeuclidean": sq, "euclidean": np.sqrt(sq), "none": np.zeros_like(sq)}[base]
    if lam:
        FX, FY = (fourier_coefficients(Z, transform, norm, shape) for Z in (X, Y))
        C = C + lam * _lp(np.abs(FX[:, None, :] - FY[None, :, :]), p)  # F is linear
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
    transform: str = "dct",
    norm: str = "ortho",
) -> torch.Tensor:
    r"""Row-wise FROT cost in torch, ``(n, d)`` -> ``(n,)`` (pairs of rows).

    .. math::

        c(x, y) = \|x - y\|^2 + \lambda \, \| D (x - y) \|_p

    with the defaults (``base="sqeuclidean"``, orthonormal DCT ``D``); the other
    settings are those of :func:`frot_cost_matrix`. This is the cost the 2-D map
    of :mod:`rcot_lib.neural2d` is trained with (Eq. 4, 5). For ``p`` other than
    1 and 2, ``|z|`` is smoothed as in :func:`rcot_lib.image_costs.lp_norm`.
    """
    _check_all(p, transform, norm, base)
    r = x - y  # (n, d)
    sq = (r**2).sum(-1)  # (n,)
    dist = {"sqeuclidean": sq, "euclidean": torch.sqrt(sq + 1e-12), "none": sq * 0}
    if not lam:
        return dist[base]
    if transform == "dct":
        D = torch.as_tensor(dct_matrix(r.shape[-1]), dtype=r.dtype, device=r.device)
        mag = (r @ D.T).abs() * (math.sqrt(r.shape[-1]) if norm == "backward" else 1)
    elif transform == "fft":
        mag = torch.fft.fft(r, norm=norm).abs()
    else:
        mag = r.abs()
    return dist[base] + lam * image_costs.lp_norm(mag, p, "sum")


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
    r"""The code's Fourier term of Eq. 4 for a batch of residuals, ``(B,)``.

    .. math::

        p = 1:\ \operatorname{mean} |\mathcal F r|, \qquad
        p = 2:\ \sqrt{\operatorname{mean} |\mathcal F r|^2}

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
    r"""FROT cost of Eq. 4 between image batches as the code computes it, ``(B,)``.

    .. math::

        c(x, y) = \sqrt{\operatorname{mean}(r^2)}
        + \lambda \, \| \mathcal F r \|_p,
        \qquad r = x - y

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
