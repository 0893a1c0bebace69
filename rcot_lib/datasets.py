"""Former name of :mod:`rcot_lib.training_data` (the all-in-one training mix).

Its names are re-exported so that ``rcot_lib.datasets`` keeps working; new code
imports from their homes: :mod:`rcot_lib.training_data` (the mix),
:mod:`rcot_lib.training_images` (the folders and their decoding) and
:mod:`rcot_lib.training_loader` (batches by step).
"""

from rcot_lib.training_data import (
    DegradationMix,
    from_config,
    random_crop,
    validation_batch,
)
from rcot_lib.training_images import (
    Image8,
    load_clean_images,
    load_pair_images,
    resolve_sources,
)
from rcot_lib.training_loader import IndexStream, make_loader

__all__ = [
    "DegradationMix",
    "Image8",
    "IndexStream",
    "from_config",
    "load_clean_images",
    "load_pair_images",
    "make_loader",
    "random_crop",
    "resolve_sources",
    "validation_batch",
]
