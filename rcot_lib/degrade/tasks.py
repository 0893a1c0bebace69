"""The tasks of the all-in-one setting: names, labels, one seeded entry point.

:func:`degrade` dispatches a task name to its synthesis in
:mod:`rcot_lib.degrade.camera` (noise, blur, low light) or
:mod:`rcot_lib.degrade.weather` (rain, haze).

Task names and labels follow the DA-RCOT code (``docs/method.md`` section 5): labels 0-2
are Gaussian noise (``p = 2`` in the FROT cost, Eq. 4), 3-6 rain, haze, blur and
low light (``p = 1``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from rcot_lib.costs import p_for_label
from rcot_lib.degrade.camera import (
    add_gaussian_noise,
    darken,
    gaussian_blur,
    motion_blur,
)
from rcot_lib.degrade.sampling import Seed, as_batch, as_generator
from rcot_lib.degrade.weather import add_haze, add_rain

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
