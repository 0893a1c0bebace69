"""Synthetic rain and haze: the weather degradations of the all-in-one setting.

Real rain and haze training pairs are scarce, so the kit renders them on clean
photographs: additive streak layers calibrated to Rain100L (label 3) and the
atmospheric scattering model with a synthetic depth map, as RESIDE renders its
hazy images (label 4). Conventions are those of :mod:`rcot_lib.degrade`.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from rcot_lib.degrade.kernels import convolve, gaussian_kernels, line_kernels
from rcot_lib.degrade.sampling import Range, Seed, as_batch, as_generator, draw, finish

# --- rain (label 3) -------------------------------------------------------------------

#: Light (Rain100L-like) and heavy rain settings of :func:`add_rain`.
RAIN_SETTINGS = {
    "light": dict(
        density=(0.0015, 0.004), length=(12.0, 32.0), width=(0.6, 1.1),
        angle=(-30.0, 30.0), brightness=(0.25, 0.55), layers=1, veil=0.0,
    ),
    "heavy": dict(
        density=(0.0015, 0.004), length=(25.0, 50.0), width=(0.8, 1.5),
        angle=(-35.0, 35.0), brightness=(0.35, 0.6), layers=2, veil=(0.02, 0.08),
    ),
}


def rain_layer(
    shape: Sequence[int], generator: Seed = None, density: Range = (0.0015, 0.004),
    length: Range = (12.0, 32.0), width: Range = (0.6, 1.1),
    angle: Range = (-30.0, 30.0), brightness: Range = (0.25, 0.55),
) -> torch.Tensor:
    r"""A layer of rain streaks in ``[0, 1]``, shape ``(B, 1, H, W)``.

    Drops are a sparse Bernoulli field of random intensities, smeared by a tapered
    line kernel (their motion during the exposure) of one length and angle per image
    (each drop jitters by a few degrees), then widened by a Gaussian of std ``width``.

    .. math:: S = \min(1, b \cdot g_w * k_{L,\theta} * D), \quad
        D_{ij} \sim \mathrm{Bernoulli}(\rho)\, \mathcal{U}(0.5, 1)

    Parameters
    ----------
    shape : (B, H, W)
    density : probability ``rho`` of a drop per pixel.
    length, width : streak length and width (Gaussian std) in pixels.
    angle : degrees from the vertical.
    brightness : gain ``b`` (a drop of intensity 1 peaks at about ``b``).
    """
    b, h, w = shape
    g = as_generator(generator)
    rho = draw(density, b, g).view(b, 1, 1)
    drops = (torch.rand(b, h, w, generator=g) < rho).float()
    drops = drops * (0.5 + 0.5 * torch.rand(b, h, w, generator=g))  # (B, H, W)
    lengths, angles = draw(length, b, g), draw(angle, b, g)
    gains, widths = draw(brightness, b, g), draw(width, b, g)
    # two sub-populations per image, a few degrees apart, as in Rain100L
    jitter = 4.0 * torch.randn(b, generator=g)
    half = torch.rand(b, h, w, generator=g) < 0.5
    streaks = torch.zeros(b, 1, h, w)
    for sub, ang in ((half, angles), (~half, angles + jitter)):
        kernels = line_kernels(lengths, ang, taper=True)
        kernels = kernels / kernels.amax(dim=(1, 2), keepdim=True)  # peak 1
        streaks += convolve((drops * sub)[:, None], kernels)
    blur = gaussian_kernels(widths)
    streaks = convolve(streaks, blur)
    peak = 1.0 / blur.sum(dim=1).amax(dim=1)  # a blurred 1-pixel line keeps its peak
    return (streaks * (gains * peak).view(b, 1, 1, 1)).clamp(0, 1)


def add_rain(
    clean: torch.Tensor, generator: Seed = None, heavy: bool = False, **params
) -> torch.Tensor:
    r"""Additive rain streaks (Rain100L-like light rain, or heavy rain with a veil).

    .. math:: y = \mathrm{clip}_{[0,1]}\big(x + S + v\,(1 - x)\big)

    with ``S`` an achromatic streak layer (:func:`rain_layer`, one per layer, added)
    and ``v`` the veil of rain accumulation (heavy rain only). As in Rain100L,
    ``y >= x`` everywhere and the residual is the same in every channel.

    Parameters
    ----------
    clean : Tensor, shape (B, C, H, W) or (C, H, W)
    generator : torch.Generator or int, optional
    heavy : bool
        Use :data:`RAIN_SETTINGS` ``"heavy"`` instead of ``"light"``.
    **params
        Overrides of the setting: ``density``, ``length``, ``width``, ``angle``,
        ``brightness``, ``layers``, ``veil``.
    """
    setting = dict(RAIN_SETTINGS["heavy" if heavy else "light"])
    unknown = set(params) - set(setting)
    if unknown:
        raise ValueError(
            f"unknown rain parameters {sorted(unknown)}; valid: {sorted(setting)}"
        )
    setting.update(params)
    x, single = as_batch(clean)
    g = as_generator(generator)
    b, _, h, w = x.shape
    veil = draw(setting.pop("veil"), b, g).to(x.device).view(b, 1, 1, 1)
    streaks = torch.zeros(b, 1, h, w)
    for _ in range(int(setting.pop("layers"))):
        streaks += rain_layer((b, h, w), g, **setting)
    y = x + streaks.to(x.device) + veil * (1 - x)
    return finish(y, single)


# --- haze (label 4) -------------------------------------------------------------------


def synthetic_depth(
    clean: torch.Tensor, generator: Seed = None,
    weights: Sequence[float] = (0.6, 0.25, 0.15),
) -> torch.Tensor:
    """A smooth relative depth map in ``[0, 1]`` (1 = far), shape ``(B, 1, H, W)``.

    A mix of a vertical ramp (the horizon is far), low-frequency noise (a 4x4 grid
    upsampled bicubically) and the blurred brightness of the image (sky is bright
    and far), each weighted by ``weights``, then rescaled per image to ``[0, 1]``.
    """
    x, _ = as_batch(clean)
    g = as_generator(generator)
    b, _, h, w = x.shape
    ramp = torch.linspace(1, 0, h).view(1, 1, h, 1).expand(b, 1, h, w)
    coarse = torch.rand(b, 1, 4, 4, generator=g)
    smooth = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=True)
    bright = x.mean(1, keepdim=True).cpu()
    bright = F.interpolate(
        F.adaptive_avg_pool2d(bright, (8, 8)), size=(h, w), mode="bilinear",
        align_corners=False,
    )
    d = weights[0] * ramp + weights[1] * smooth + weights[2] * bright
    lo = d.amin(dim=(2, 3), keepdim=True)
    hi = d.amax(dim=(2, 3), keepdim=True)
    return ((d - lo) / (hi - lo).clamp(min=1e-6)).to(x.device)


def add_haze(
    clean: torch.Tensor, generator: Seed = None, beta: Range = (0.4, 1.5),
    airlight: Range = (0.75, 1.0), depth: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Haze by the atmospheric scattering model (as RESIDE renders SOTS/OTS).

    .. math:: I = J\,t + A\,(1 - t), \qquad t = e^{-\beta d}

    where ``J`` is the clean image, ``A`` the (grey) atmospheric light, ``t`` the
    transmission and ``d`` a relative depth in ``[0, 1]``.

    Parameters
    ----------
    clean : Tensor, shape (B, C, H, W) or (C, H, W)
    generator : torch.Generator or int, optional
    beta : scattering coefficient per unit of relative depth.
    airlight : atmospheric light ``A``.
    depth : Tensor, shape (B, 1, H, W), optional
        A depth map in ``[0, 1]``; by default :func:`synthetic_depth`.
    """
    x, single = as_batch(clean)
    g = as_generator(generator)
    b = x.shape[0]
    d = synthetic_depth(x, g) if depth is None else depth.to(x.device).float()
    if d.ndim == 3:
        d = d[None]
    beta_ = draw(beta, b, g).to(x.device).view(b, 1, 1, 1)
    a = draw(airlight, b, g).to(x.device).view(b, 1, 1, 1)
    t = torch.exp(-beta_ * d)
    return finish(x * t + a * (1 - t), single)
