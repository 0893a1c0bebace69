"""Former name of :mod:`rcot_lib.eval_data` (paired folders, benchmark sets).

The names it offered, now in :mod:`rcot_lib.eval_data`, :mod:`rcot_lib.paired_files`
(the files of a paired folder) and :mod:`rcot_lib.images`, are re-exported so that
``rcot_lib.data`` keeps working; new code imports from those modules.
"""

from rcot_lib.eval_data import (
    BENCHMARKS,
    EVAL_SETS,
    PairedFolder,
    SyntheticPairs,
    benchmark_sets,
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
from rcot_lib.paired_files import (
    PAIR_LAYOUTS,
    find_pairs,
    load_pair,
    pair_dirs,
    pair_key,
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
