"""Seeded synthesis of the degradations of the all-in-one setting.

Noise, blur and low light live here, rain and haze in :mod:`rcot_lib.weather`
(re-exported), blur kernels in :mod:`rcot_lib.kernels`, the seeded draws in
:mod:`rcot_lib.sampling`. Every function takes clean images in ``[0, 1]`` shaped
``(B, C, H, W)`` or ``(C, H, W)`` (``C`` = 1 or 3), returns degraded images of
the same shape in ``[0, 1]``, and draws its random numbers from a
``torch.Generator`` (or an int seed), so one seed gives one result on every
device. Parameters given as a pair ``(lo, hi)`` are drawn uniformly per image; a
number fixes them.

Task names and labels follow the DA-RCOT code (``docs/method.md`` section 5): labels 0-2
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

from rcot_lib.costs import p_for_label
from rcot_lib.kernels import (  # noqa: F401 (re-exported)
    convolve,
    gaussian_kernels,
    line_kernels,
    trajectory_kernels,
)
from rcot_lib.sampling import (  # noqa: F401 (re-exported)
    Range,
    Seed,
    as_batch,
    as_generator,
    draw,
    finish,
    randn,
)
from rcot_lib.weather import (  # noqa: F401 (re-exported)
    RAIN_SETTINGS,
    add_haze,
    add_rain,
    rain_layer,
    synthetic_depth,
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


# --- blur (label 5; kernels in rcot_lib.kernels) ---------------------------------


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


# --- rain and haze (labels 3, 4): rcot_lib.weather ---------------------------------


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
    x, _ = as_batch(clean)
    if len(tasks) != x.shape[0]:
        raise ValueError(f"got {len(tasks)} tasks for a batch of {x.shape[0]} images")
    g = as_generator(generator)
    out = torch.empty_like(x)
    for task in dict.fromkeys(tasks):
        idx = [i for i, t in enumerate(tasks) if t == task]
        out[idx] = degrade(x[idx], task, g)
    return out
