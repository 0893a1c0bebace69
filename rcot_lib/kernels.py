"""Former home of :mod:`rcot_lib.degrade.kernels`, which holds these names now.

Re-exported so that ``rcot_lib.kernels`` keeps working; new code imports from
:mod:`rcot_lib.degrade.kernels`.
"""

from rcot_lib.degrade.kernels import (
    convolve,
    gaussian_kernels,
    line_kernels,
    trajectory_kernels,
)

__all__ = ["convolve", "gaussian_kernels", "line_kernels", "trajectory_kernels"]
