"""Former name of :mod:`rcot_lib.eval_data` (paired folders, benchmark sets).

Its names, and the image functions of :mod:`rcot_lib.images` it offered, are
re-exported so that ``rcot_lib.data`` keeps working; new code imports from
:mod:`rcot_lib.eval_data` and :mod:`rcot_lib.images`.
"""

from rcot_lib.eval_data import (
    BENCHMARKS,
    EVAL_SETS,
    PAIR_LAYOUTS,
    PairedFolder,
    SyntheticPairs,
    benchmark_sets,
    find_pairs,
    load_pair,
    pair_dirs,
    pair_key,
)
from rcot_lib.images import (
    IMAGE_SUFFIXES,
    center_crop,
    list_images,
    load_image,
    resize_max_side,
    sample_images,
    save_image,
    to_uint8,
)

__all__ = [
    "BENCHMARKS",
    "EVAL_SETS",
    "IMAGE_SUFFIXES",
    "PAIR_LAYOUTS",
    "PairedFolder",
    "SyntheticPairs",
    "benchmark_sets",
    "center_crop",
    "find_pairs",
    "list_images",
    "load_image",
    "load_pair",
    "pair_dirs",
    "pair_key",
    "resize_max_side",
    "sample_images",
    "save_image",
    "to_uint8",
]
