"""Seeded synthesis of the degradations of the all-in-one setting.

=====================================  ===============================================
:mod:`~rcot_lib.degrade.tasks`         task names and labels, :func:`degrade`
:mod:`~rcot_lib.degrade.camera`        Gaussian noise, motion and Gaussian blur, low
                                       light
:mod:`~rcot_lib.degrade.weather`       rain streaks and haze
:mod:`~rcot_lib.degrade.kernels`       blur kernels and their per-image convolution
:mod:`~rcot_lib.degrade.sampling`      the seeded per-image draws
=====================================  ===============================================

Every function takes clean images in ``[0, 1]`` shaped ``(B, C, H, W)`` or
``(C, H, W)`` (``C`` = 1 or 3), returns degraded images of the same shape in
``[0, 1]``, and draws its random numbers from a ``torch.Generator`` (or an int
seed), so one seed gives one result on every device. Parameters given as a pair
``(lo, hi)`` are drawn uniformly per image; a number fixes them.

Task names and labels follow the DA-RCOT code (``docs/method.md`` section 5):
labels 0-2 are Gaussian noise (``p = 2`` in the FROT cost, Eq. 4), 3-6 rain,
haze, blur and low light (``p = 1``).

References
----------
.. [1] X. Tang et al., "Residual-Conditioned Optimal Transport", ICML 2024.
.. [2] X. Tang et al., "Degradation-Aware Residual-Conditioned Optimal Transport
   for Unified Image Restoration", IEEE TPAMI 2025.
"""

from rcot_lib.degrade.camera import (
    add_gaussian_noise,
    darken,
    gaussian_blur,
    motion_blur,
)
from rcot_lib.degrade.sampling import Range, Seed
from rcot_lib.degrade.tasks import (
    NOISE_SIGMAS,
    P_BY_LABEL,
    TASK_LABELS,
    TASKS,
    degrade,
    degrade_each,
    fourier_p,
    level_params,
    task_label,
)
from rcot_lib.degrade.weather import (
    RAIN_SETTINGS,
    add_haze,
    add_rain,
    rain_layer,
    synthetic_depth,
)

__all__ = [
    "NOISE_SIGMAS",
    "P_BY_LABEL",
    "RAIN_SETTINGS",
    "TASKS",
    "TASK_LABELS",
    "Range",
    "Seed",
    "add_gaussian_noise",
    "add_haze",
    "add_rain",
    "darken",
    "degrade",
    "degrade_each",
    "fourier_p",
    "gaussian_blur",
    "level_params",
    "motion_blur",
    "rain_layer",
    "synthetic_depth",
    "task_label",
]
