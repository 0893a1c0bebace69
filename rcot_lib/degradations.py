"""Seeded synthesis of the degradations of the all-in-one setting.

Every function takes clean images in ``[0, 1]`` shaped ``(B, C, H, W)`` or
``(C, H, W)`` (``C`` = 1 or 3), returns degraded images of the same shape in
``[0, 1]``, and draws its random numbers from a ``torch.Generator`` (or an int
seed), so one seed gives one result on every device. Parameters given as a pair
``(lo, hi)`` are drawn uniformly per image; a number fixes them.

Task names and labels follow the DA-RCOT code (method.md section 8): labels 0-2
are Gaussian noise (``p = 2`` in the FROT cost, Eq. 4), 3-6 rain, haze, blur and
low light (``p = 1``).

References
----------
.. [1] X. Tang et al., "Residual-Conditioned Optimal Transport", ICML 2024.
.. [2] X. Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport
   for Unified Image Restoration", IEEE TPAMI 2025.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from rcot_lib.costs import p_for_label
from rcot_lib.kernels import (  # noqa: F401 (re-exported)
    convolve,
    gaussian_kernels,
    line_kernels,
    trajectory_kernels,
)

TASKS = (
    "denoise_15", "denoise_25", "denoise_50", "derain", "dehaze", "deblur", "lowlight"
)
#: Task name -> label of the DA-RCOT code.
TASK_LABELS = {name: index for index, name in enumerate(TASKS)}
#: Label -> exponent ``p`` of the Fourier term of the FROT cost (Eq. 4).
P_BY_LABEL = {label: p_for_label(label) for label in range(len(TASKS))}
#: Noise standard deviation on the 0-255 scale, per noise task.
NOISE_SIGMAS = {"denoise_15": 15.0, "denoise_25": 25.0, "denoise_50": 50.0}

Range = float | tuple[float, float]
Seed = torch.Generator | int | None


def fourier_p(label: int | str) -> int:
    """Exponent ``p`` of ``||F(x - y)||_p`` for a task label or name (Eq. 4).

    >>> fourier_p(1), fourier_p("derain")
    (2, 1)
    """
    if isinstance(label, str):
        label = task_label(label)
    if label not in P_BY_LABEL:
        raise ValueError(f"unknown label {label!r}; valid: 0..{len(TASKS) - 1}")
    return P_BY_LABEL[label]


def task_label(task: str) -> int:
    """The integer label of a task name (``ValueError`` lists the valid names)."""
    if task not in TASK_LABELS:
        raise ValueError(f"unknown task {task!r}; valid tasks: {', '.join(TASKS)}")
    return TASK_LABELS[task]


# --- helpers --------------------------------------------------------------------------


def as_generator(generator: Seed = None) -> torch.Generator:
    """A CPU ``torch.Generator`` from a generator, an int seed or ``None`` (seed 0)."""
    if isinstance(generator, torch.Generator):
        return generator
    if generator is None or isinstance(generator, int):
        return torch.Generator().manual_seed(int(generator or 0))
    raise ValueError(
        f"generator must be a torch.Generator, an int or None, got {generator!r}"
    )


def _as_batch(clean: torch.Tensor) -> tuple[torch.Tensor, bool]:
    if not isinstance(clean, torch.Tensor) or clean.ndim not in (3, 4):
        shape = tuple(getattr(clean, "shape", ()))
        raise ValueError(
            f"expected a (C, H, W) or (B, C, H, W) tensor, got shape {shape}"
        )
    single = clean.ndim == 3
    x = clean[None] if single else clean  # (B, C, H, W)
    if x.shape[1] not in (1, 3):
        raise ValueError(f"expected 1 or 3 channels, got {x.shape[1]}")
    return x.float(), single


def _draw(spec: Range, n: int, g: torch.Generator) -> torch.Tensor:
    """``n`` values: a constant, or uniform in ``(lo, hi)``; on the CPU, shape (n,)."""
    if isinstance(spec, (tuple, list)):
        lo, hi = float(spec[0]), float(spec[1])
        return lo + (hi - lo) * torch.rand(n, generator=g)
    return torch.full((n,), float(spec))


def _randn(
    shape: Sequence[int], g: torch.Generator, like: torch.Tensor
) -> torch.Tensor:
    return torch.randn(tuple(shape), generator=g).to(like.device)


def _finish(y: torch.Tensor, single: bool, quantize: bool = False) -> torch.Tensor:
    y = y.clamp(0, 1)
    if quantize:
        y = torch.round(y * 255) / 255
    return y[0] if single else y


# --- noise (labels 0-2) -------------------------------------------------------------


def add_gaussian_noise(
    clean: torch.Tensor, generator: Seed = None, sigma: Range = 25.0,
    clip: bool = True, quantize: bool = False,
) -> torch.Tensor:
    """Additive white Gaussian noise, clipped to the valid range as the papers do.

    .. math:: y = \\mathrm{clip}_{[0,1]}(x + \\tfrac{\\sigma}{255} n),
        \\quad n \\sim \\mathcal{N}(0, I)

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
    x, single = _as_batch(clean)
    g = as_generator(generator)
    s = _draw(sigma, x.shape[0], g).to(x.device).view(-1, 1, 1, 1) / 255.0
    y = x + s * _randn(x.shape, g, x)
    if not clip:
        return y[0] if single else y
    return _finish(y, single, quantize)


# --- blur (label 5; kernels in rcot_lib.kernels) ---------------------------------


def motion_blur(
    clean: torch.Tensor, generator: Seed = None, kind: str = "random",
    length: Range = (7.0, 21.0), angle: Range = (0.0, 180.0),
) -> torch.Tensor:
    """Motion blur with random linear or camera-shake (trajectory) kernels.

    .. math:: y = k * x, \\quad k \\ge 0, \\ \\textstyle\\sum k = 1

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
    x, single = _as_batch(clean)
    g = as_generator(generator)
    n = x.shape[0]
    lengths, angles = _draw(length, n, g), _draw(angle, n, g)
    lin = line_kernels(lengths, angles)
    traj = trajectory_kernels(lengths, g)
    use_lin = torch.rand(n, generator=g) < 0.5 if kind == "random" else (
        torch.full((n,), kind == "linear"))
    kernels = torch.where(use_lin.view(n, 1, 1), lin, traj)
    return _finish(convolve(x, kernels), single)


def gaussian_blur(
    clean: torch.Tensor, generator: Seed = None, sigma: Range = (1.0, 3.0)
) -> torch.Tensor:
    """Isotropic Gaussian (defocus-like) blur, ``y = g_sigma * x``; sigma in pixels."""
    x, single = _as_batch(clean)
    s = _draw(sigma, x.shape[0], as_generator(generator))
    return _finish(convolve(x, gaussian_kernels(s)), single)


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
    """A layer of rain streaks in ``[0, 1]``, shape ``(B, 1, H, W)``.

    Drops are a sparse Bernoulli field of random intensities, smeared by a tapered
    line kernel (their motion during the exposure) of one length and angle per image
    (each drop jitters by a few degrees), then widened by a Gaussian of std ``width``.

    .. math:: S = \\min(1, b \\cdot g_w * k_{L,\\theta} * D), \\quad
        D_{ij} \\sim \\mathrm{Bernoulli}(\\rho)\\, \\mathcal{U}(0.5, 1)

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
    rho = _draw(density, b, g).view(b, 1, 1)
    drops = (torch.rand(b, h, w, generator=g) < rho).float()
    drops = drops * (0.5 + 0.5 * torch.rand(b, h, w, generator=g))  # (B, H, W)
    lengths, angles = _draw(length, b, g), _draw(angle, b, g)
    gains, widths = _draw(brightness, b, g), _draw(width, b, g)
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
    """Additive rain streaks (Rain100L-like light rain, or heavy rain with a veil).

    .. math:: y = \\mathrm{clip}_{[0,1]}\\big(x + S + v\\,(1 - x)\\big)

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
    x, single = _as_batch(clean)
    g = as_generator(generator)
    b, _, h, w = x.shape
    veil = _draw(setting.pop("veil"), b, g).to(x.device).view(b, 1, 1, 1)
    streaks = torch.zeros(b, 1, h, w)
    for _ in range(int(setting.pop("layers"))):
        streaks += rain_layer((b, h, w), g, **setting)
    y = x + streaks.to(x.device) + veil * (1 - x)
    return _finish(y, single)


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
    x, _ = _as_batch(clean)
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
    """Haze by the atmospheric scattering model (as RESIDE renders SOTS/OTS).

    .. math:: I = J\\,t + A\\,(1 - t), \\qquad t = e^{-\\beta d}

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
    x, single = _as_batch(clean)
    g = as_generator(generator)
    b = x.shape[0]
    d = synthetic_depth(x, g) if depth is None else depth.to(x.device).float()
    if d.ndim == 3:
        d = d[None]
    beta_ = _draw(beta, b, g).to(x.device).view(b, 1, 1, 1)
    a = _draw(airlight, b, g).to(x.device).view(b, 1, 1, 1)
    t = torch.exp(-beta_ * d)
    return _finish(x * t + a * (1 - t), single)


# --- low light (label 6) --------------------------------------------------------------


def darken(
    clean: torch.Tensor, generator: Seed = None, gamma: Range = (1.3, 2.0),
    scale: Range = (0.06, 0.3), photons: Range = (400.0, 1600.0),
    read_noise: Range = (0.002, 0.008), quantize: bool = False,
) -> torch.Tensor:
    """Low light: gamma darkening and scaling, then Poisson-Gaussian sensor noise.

    .. math:: \\lambda = s\\,x^{\\gamma}, \\qquad
        y = \\frac{\\mathrm{Poisson}(\\kappa \\lambda)}{\\kappa} + \\sigma_r n

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
    x, single = _as_batch(clean)
    g = as_generator(generator)
    b = x.shape[0]
    gam, s, kappa, sr = (
        _draw(v, b, g).to(x.device).view(b, 1, 1, 1)
        for v in (gamma, scale, photons, read_noise)
    )
    lam = s * x.clamp(min=0) ** gam
    counts = torch.poisson((kappa * lam).cpu(), generator=g).to(x.device)
    y = counts / kappa + sr * _randn(x.shape, g, x)
    return _finish(y, single, quantize)


# --- one entry point ------------------------------------------------------------------


def degrade(
    clean: torch.Tensor, task: str, generator: Seed = None, **params
) -> torch.Tensor:
    """Degrade clean images by a task of :data:`TASKS`.

    ``denoise_S`` adds Gaussian noise of std ``S`` (``sigma=`` overrides it),
    ``derain`` calls :func:`add_rain` (``heavy=True`` for heavy rain), ``dehaze``
    :func:`add_haze`, ``deblur`` :func:`motion_blur` (``kind="gaussian"`` for
    :func:`gaussian_blur`), ``lowlight`` :func:`darken`; ``params`` go through.

    >>> x = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    >>> y = degrade(x, "dehaze", generator=1)
    >>> y.shape, bool(torch.equal(y, degrade(x, "dehaze", generator=1)))
    (torch.Size([2, 3, 16, 16]), True)
    """
    task_label(task)
    if task in NOISE_SIGMAS:
        sigma = params.pop("sigma", NOISE_SIGMAS[task])
        return add_gaussian_noise(clean, generator, sigma, **params)
    if task == "derain":
        return add_rain(clean, generator, **params)
    if task == "dehaze":
        return add_haze(clean, generator, **params)
    if task == "deblur":
        if params.get("kind") == "gaussian":
            params.pop("kind")
            return gaussian_blur(clean, generator, **params)
        return motion_blur(clean, generator, **params)
    return darken(clean, generator, **params)


def level_params(task: str, level: float) -> dict:
    """Parameters of ``task`` at a strength ``level`` in ``[0, 1]`` (for sliders).

    Noise: ``sigma = 100 level`` (so 0.15, 0.25, 0.5 are the papers' levels); rain:
    density, length and brightness grow (1 is heavier than ``heavy=True``); haze:
    ``beta = 0.2 + 2.6 level``; blur: length ``3 + 36 level`` pixels; low light:
    ``scale = 0.53 - 0.5 level`` and ``gamma = 1 + 1.5 level``.

    >>> level_params("denoise_50", 0.25)
    {'sigma': 25.0}
    """
    task_label(task)
    t = min(max(float(level), 0.0), 1.0)
    if task in NOISE_SIGMAS:
        return {"sigma": max(100.0 * t, 0.5)}
    if task == "derain":
        return {"density": 0.0005 + 0.008 * t, "length": 8.0 + 40.0 * t,
                "brightness": 0.1 + 0.7 * t}
    if task == "dehaze":
        return {"beta": 0.2 + 2.6 * t}
    if task == "deblur":
        return {"length": 3.0 + 36.0 * t}
    return {"scale": 0.53 - 0.5 * t, "gamma": 1.0 + 1.5 * t}


def degrade_each(
    clean: torch.Tensor, tasks: Sequence[str], generator: Seed = None
) -> torch.Tensor:
    """Degrade image ``i`` of a ``(B, C, H, W)`` batch by ``tasks[i]`` (mixed batch)."""
    x, _ = _as_batch(clean)
    if len(tasks) != x.shape[0]:
        raise ValueError(f"got {len(tasks)} tasks for a batch of {x.shape[0]} images")
    g = as_generator(generator)
    out = torch.empty_like(x)
    for task in dict.fromkeys(tasks):
        idx = [i for i, t in enumerate(tasks) if t == task]
        out[idx] = degrade(x[idx], task, g)
    return out
