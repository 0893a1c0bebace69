"""rcot-kit: OT image restoration (SOT, RCOT, DA-RCOT), explained and reproduced.

Modules are imported on demand (``from rcot_lib import costs``), so importing the
package itself is cheap.
"""

from rcot_lib.device import get_device, keep_freed_memory, seed_all
from rcot_lib.environment import FAST, data_root

keep_freed_memory()  # large CPU feature maps reuse memory (see its docstring)

__version__ = "0.1.0"

__all__ = ["FAST", "__version__", "data_root", "get_device", "seed_all"]


def check_version(expected: str) -> None:
    """Warn when a notebook written for ``expected`` runs on another kit version."""
    if expected != __version__:
        import warnings

        warnings.warn(
            f"this notebook was written for rcot_lib {expected}, "
            f"but {__version__} is installed",
            stacklevel=2,
        )
