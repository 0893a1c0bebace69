"""Former name of :mod:`rcot_lib.environment` (the settings read from the environment).

Its names are re-exported so that ``rcot_lib.config`` keeps working; new code
imports from :mod:`rcot_lib.environment`. Assign to the attributes of
:mod:`rcot_lib.environment` (e.g. ``SAMPLES_DIR``) to change what its functions
see: the names here are copies of the bindings.
"""

from rcot_lib.environment import (
    CHECKPOINTS_DIR,
    FAST,
    KIT_ROOT,
    RESULTS_DIR,
    SAMPLES_DIR,
    benchmark_dir,
    data_root,
    env_flag,
    is_fast,
    require_samples,
    train_dir,
)

__all__ = [
    "CHECKPOINTS_DIR",
    "FAST",
    "KIT_ROOT",
    "RESULTS_DIR",
    "SAMPLES_DIR",
    "benchmark_dir",
    "data_root",
    "env_flag",
    "is_fast",
    "require_samples",
    "train_dir",
]
