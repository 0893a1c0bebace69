"""Former home of the degradations; they live in :mod:`rcot_lib.degrade` now.

Every name this module offered is re-exported here, so ``rcot_lib.degradations``
keeps working; new code imports from :mod:`rcot_lib.degrade`.
"""

from rcot_lib.degrade import *  # noqa: F403
from rcot_lib.degrade import __all__ as _degrade_all
from rcot_lib.degrade.kernels import (
    convolve,
    gaussian_kernels,
    line_kernels,
    trajectory_kernels,
)
from rcot_lib.degrade.sampling import as_batch, as_generator, draw, finish, randn

__all__ = [
    *_degrade_all,
    "as_batch",
    "as_generator",
    "convolve",
    "draw",
    "finish",
    "gaussian_kernels",
    "line_kernels",
    "randn",
    "trajectory_kernels",
]
