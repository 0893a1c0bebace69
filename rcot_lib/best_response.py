r"""The best response of the map to a potential (the map step of Eq. 8), in
closed form.

The map step of Eq. 8 minimises, for each degraded ``x``,

.. math::
    c(x, T(x)) - \varphi(T(x)), \qquad T(x) = x - r .

Near ``x`` the potential is linear, ``phi(x - r) ~ phi(x) - <g, r>`` with
``g = grad phi(x)``, so the best residual is

.. math::
    r^\star = \arg\min_r \; c(r) + \langle g, r\rangle ,

the (linearised) c-transform. :func:`best_response` solves it in closed form for
the costs of :func:`rcot_lib.unpaired.unpaired_variant` and shows what each part
of the cost does:

- ``c = sigma ||r||`` (1-homogeneous, the authors' base): ``r* = 0`` when
  ``||g|| < sigma`` and unbounded when ``||g|| > sigma``: a knife edge, since the
  gradient penalty holds ``||g||`` near 1;
- ``c = sigma ||r||^2``: ``r* = -g / (2 sigma)``, finite for any potential;
- ``+ sigma lam ||F r||_1`` (``p = 1``): soft thresholding of ``F g``: only the
  Fourier coefficients where the potential pulls harder than ``sigma lam`` move,
  so the residual is sparse in the Fourier domain (SOT, RCOT for rain and haze);
- ``+ sigma lam ||F r||_2`` (``p = 2``): the whole residual shrinks by the same
  factor, or is zero: no preferred frequency (RCOT for white noise).

References
----------
.. [1] Tang et al., "Residual-Conditioned Optimal Transport", ICML 2024.
.. [2] Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport for
   Unified Image Restoration", TPAMI 2025 (Eq. 8; Table VIII's unpaired rows).
.. [3] Wang et al., "Optimal Transport for Unsupervised Denoising Learning"
   (OTUR), TPAMI 2022.
"""

from __future__ import annotations

import math

import torch


def _shrink(coef: torch.Tensor, threshold: float) -> torch.Tensor:
    """Soft thresholding by modulus (real or complex coefficients)."""
    mag = coef.abs()
    return coef * torch.clamp(1 - threshold / mag.clamp_min(1e-30), min=0.0)


def best_response(
    g: torch.Tensor,
    sigma: float,
    lam: float = 0.0,
    p: float = 1,
    base: str = "sqeuclidean",
    transform: str = "fft",
) -> torch.Tensor:
    r"""The residual ``r*`` that minimises ``c(r) + <g, r>`` (linearised Eq. 8).

    The cost is ``sigma (d(r) + lam ||F r||_p)`` in the ``"l2"`` units of
    :mod:`rcot_lib.image_costs` (``F`` orthonormal; the ``p = 1`` term is
    ``||F r||_1 / sqrt(N)``), with ``d = ||r||^2`` (``"sqeuclidean"``) or
    ``||r||`` (``"euclidean"``).

    Parameters
    ----------
    g : torch.Tensor, shape (C, H, W)
        The potential's gradient at ``x``.
    sigma, lam : float
        Weight of the cost and of its Fourier term.
    p : {1, 2}
    base : {"sqeuclidean", "euclidean"}
    transform : {"fft", "dct"}

    Returns
    -------
    torch.Tensor, shape (C, H, W)
        ``r*``; the map moves ``x`` to ``x - r*``. For the ``"euclidean"`` base the
        minimum is 0 or ``-inf``: zeros are returned where the cost wins, and a
        ``ValueError`` says when it does not (the map runs away).

    Examples
    --------
    >>> g = torch.ones(1, 2, 2)
    >>> best_response(g, sigma=0.5).flatten().tolist()  # -g / (2 sigma)
    [-1.0, -1.0, -1.0, -1.0]
    """
    from rcot_lib.image_costs import dct2

    if sigma <= 0:
        raise ValueError(f"sigma={sigma} must be positive: without a cost the map "
                         "follows grad phi without bound")
    if p not in (1, 2):
        raise ValueError(f"closed forms exist for p = 1 and p = 2, not p={p!r}")
    if base == "euclidean":
        if lam:
            raise ValueError("the euclidean base is shown without a Fourier term")
        norm = float(g.norm())
        if norm > sigma:
            raise ValueError(
                f"||g|| = {norm:.3g} > sigma = {sigma:.3g}: inf_r sigma ||r|| + <g, r> "
                "is -inf (the map runs away along grad phi)"
            )
        return torch.zeros_like(g)
    if base != "sqeuclidean":
        raise ValueError(f"base={base!r} is not one of ['sqeuclidean', 'euclidean']")
    n = g.numel()
    if transform == "fft":
        h = torch.fft.fft2(g.double(), norm="ortho")
        inverse = lambda u: torch.fft.ifft2(u, norm="ortho").real  # noqa: E731
    elif transform == "dct":
        h = dct2(g.double())
        inverse = lambda u: dct2(u, inverse=True)  # noqa: E731
    else:
        raise ValueError(f"transform={transform!r} is not one of ['fft', 'dct']")
    if lam and p == 1:
        h = _shrink(h, sigma * lam / math.sqrt(n))
    elif lam and p == 2:
        total = float(h.abs().pow(2).sum().sqrt())
        h = h * max(0.0, 1 - sigma * lam / max(total, 1e-30))
    return (-inverse(h) / (2 * sigma)).to(g.dtype)


def noisy_gradient(
    x: torch.Tensor, y: torch.Tensor, sigma: float = 0.5, critic_noise: float = 0.5,
    seed: int = 0,
) -> torch.Tensor:
    r"""A model of an imperfect potential's gradient at ``x``, ``(C, H, W)``.

    .. math:: g = 2\sigma\Big((y - x) + \eta\,\|y - x\|\,\frac{w}{\|w\|}\Big),
        \qquad w \sim \mathcal N(0, I)

    the ideal direction toward the clean image plus white noise of relative size
    ``critic_noise`` (``eta``): without a Fourier term and without noise the best
    response of the quadratic cost lands on ``y``.
    """
    gen = torch.Generator().manual_seed(seed)
    true = x - y
    w = torch.randn(true.shape, generator=gen, dtype=true.dtype)
    return 2 * sigma * (-true + critic_noise * true.norm() * w / w.norm())


def best_response_psnr(
    x: torch.Tensor, y: torch.Tensor, lam: float, p: float = 1, sigma: float = 0.5,
    critic_noise: float = 0.5, seed: int = 0,
) -> float:
    """PSNR (dB) of the best response ``x - r*`` to :func:`noisy_gradient` against
    ``y``, under ``sigma (||r||^2 + lam ||F r||_p)`` (:func:`best_response`)."""
    from rcot_lib.metrics import psnr

    g = noisy_gradient(x, y, sigma, critic_noise, seed)
    return float(psnr(x - best_response(g, sigma=sigma, lam=lam, p=p), y))


def lambda_for_gain(
    x: torch.Tensor, y: torch.Tensor, gain_db: float = 2.0, p: float = 1,
    sigma: float = 0.5, critic_noise: float = 0.5, seed: int = 0,
    lam_max: float = 400.0, step: float = 5.0,
) -> float:
    """The smallest ``lam`` at which the best response of :func:`best_response_psnr`
    beats ``lam = 0`` by ``gain_db`` (a scan by ``step``, then bisection to
    ``1e-2``); ``inf`` when no ``lam`` up to ``lam_max`` does."""
    from rcot_lib.metrics import psnr

    g = noisy_gradient(x, y, sigma, critic_noise, seed)

    def value(lam: float) -> float:
        return float(psnr(x - best_response(g, sigma=sigma, lam=lam, p=p), y))

    base = value(0.0)

    def gain(lam: float) -> float:
        return value(lam) - base

    lo, hi = 0.0, math.inf
    for lam in torch.arange(step, lam_max + step / 2, step).tolist():
        if gain(lam) >= gain_db:
            hi = lam
            break
        lo = lam
    if math.isinf(hi):
        return hi
    while hi - lo > 1e-2:
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if gain(mid) >= gain_db else (mid, hi)
    return float(hi)
