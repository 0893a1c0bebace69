r"""Degradations of the capture: Gaussian noise, blur and low light.

Labels 0-2 (noise), 5 (blur) and 6 (low light) of :mod:`rcot_lib.degrade.tasks`;
rain and haze are :mod:`rcot_lib.degrade.weather`. Conventions are those of
:mod:`rcot_lib.degrade`: clean images in ``[0, 1]`` shaped ``(B, C, H, W)`` or
``(C, H, W)``, random numbers from a ``torch.Generator`` or an int seed, and
parameters given as ``(lo, hi)`` drawn uniformly per image.
"""

from __future__ import annotations

import torch

from rcot_lib.degrade.kernels import (
    convolve,
    gaussian_kernels,
    line_kernels,
    trajectory_kernels,
)
from rcot_lib.degrade.sampling import (
    Range,
    Seed,
    as_batch,
    as_generator,
    draw,
    finish,
    randn,
)

# --- noise (labels 0-2) -------------------------------------------------------------


def add_gaussian_noise(
    clean: torch.Tensor, generator: Seed = None, sigma: Range = 25.0,
    clip: bool = True, quantize: bool = False,
) -> torch.Tensor:
    r"""Additive white Gaussian noise, clipped to the valid range as the papers do.

    .. math:: y = \mathrm{clip}_{[0,1]}(x + \tfrac{\sigma}{255} n),
        \quad n \sim \mathcal{N}(0, I)

    Parameters
    ----------
    clean : Tensor, shape (B, C, H, W) or (C, H, W)
        Clean images in ``[0, 1]``.
    generator : torch.Generator or int, optional
    sigma : float or (float, float)
        Standard deviation on the 0-255 scale (15, 25, 50 in the papers).
    clip : bool
        Clip to ``[0, 1]`` (the DA-RCOT/PromptIR data code clips to ``[0, 255]``).
    quantize : bool
        Round to 8-bit levels as a saved noisy image would be.

    >>> x = torch.full((1, 8, 8), 0.5)
    >>> y = add_gaussian_noise(x, generator=0, sigma=25)
    >>> y.shape, bool((y - x).abs().max() > 0)
    (torch.Size([1, 8, 8]), True)
    """
    x, single = as_batch(clean)
    g = as_generator(generator)
    s = draw(sigma, x.shape[0], g).to(x.device).view(-1, 1, 1, 1) / 255.0
    y = x + s * randn(x.shape, g, x)
    if not clip:
        return y[0] if single else y
    return finish(y, single, quantize)


# --- blur (label 5; kernels in rcot_lib.degrade.kernels) -------------------------


def motion_blur(
    clean: torch.Tensor, generator: Seed = None, kind: str = "random",
    length: Range = (7.0, 21.0), angle: Range = (0.0, 180.0),
) -> torch.Tensor:
    r"""Motion blur with random linear or camera-shake (trajectory) kernels.

    .. math:: y = k * x, \quad k \ge 0, \ \textstyle\sum k = 1

    Parameters
    ----------
    clean : Tensor, shape (B, C, H, W) or (C, H, W)
    generator : torch.Generator or int, optional
    kind : {"random", "linear", "trajectory"}
        ``"random"`` picks linear or trajectory per image with equal odds.
    length : float or (float, float)
        Extent of the blur in pixels.
    angle : float or (float, float)
        Direction of a linear blur in degrees.
    """
    if kind not in ("random", "linear", "trajectory"):
        raise ValueError(
            f"kind must be 'random', 'linear' or 'trajectory', got {kind!r}"
        )
    x, single = as_batch(clean)
    g = as_generator(generator)
    n = x.shape[0]
    lengths, angles = draw(length, n, g), draw(angle, n, g)
    lin = line_kernels(lengths, angles)
    traj = trajectory_kernels(lengths, g)
    use_lin = torch.rand(n, generator=g) < 0.5 if kind == "random" else (
        torch.full((n,), kind == "linear"))
    kernels = torch.where(use_lin.view(n, 1, 1), lin, traj)
    return finish(convolve(x, kernels), single)


def gaussian_blur(
    clean: torch.Tensor, generator: Seed = None, sigma: Range = (1.0, 3.0)
) -> torch.Tensor:
    """Isotropic Gaussian (defocus-like) blur, ``y = g_sigma * x``; sigma in pixels."""
    x, single = as_batch(clean)
    s = draw(sigma, x.shape[0], as_generator(generator))
    return finish(convolve(x, gaussian_kernels(s)), single)


# --- low light (label 6) --------------------------------------------------------------


def darken(
    clean: torch.Tensor, generator: Seed = None, gamma: Range = (1.3, 2.0),
    scale: Range = (0.06, 0.3), photons: Range = (400.0, 1600.0),
    read_noise: Range = (0.002, 0.008), quantize: bool = False,
) -> torch.Tensor:
    r"""Low light: gamma darkening and scaling, then Poisson-Gaussian sensor noise.

    .. math:: \lambda = s\,x^{\gamma}, \qquad
        y = \frac{\mathrm{Poisson}(\kappa \lambda)}{\kappa} + \sigma_r n

    with ``kappa`` the photon count at full scale (more photons, less noise) and
    ``sigma_r`` the read noise. Defaults fit LOL-v1 (gamma about 1.6, scale 0.06-0.3).

    Parameters
    ----------
    clean : Tensor, shape (B, C, H, W) or (C, H, W)
    generator : torch.Generator or int, optional
    gamma, scale, photons, read_noise : float or (float, float)
    quantize : bool
        Round to 8-bit levels (a large part of the damage in real dark images).
    """
    x, single = as_batch(clean)
    g = as_generator(generator)
    b = x.shape[0]
    gam, s, kappa, sr = (
        draw(v, b, g).to(x.device).view(b, 1, 1, 1)
        for v in (gamma, scale, photons, read_noise)
    )
    lam = s * x.clamp(min=0) ** gam
    counts = torch.poisson((kappa * lam).cpu(), generator=g).to(x.device)
    y = counts / kappa + sr * randn(x.shape, g, x)
    return finish(y, single, quantize)
