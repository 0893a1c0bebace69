"""Former name of :mod:`rcot_lib.training_data` (the all-in-one training mix).

Its names are re-exported so that ``rcot_lib.datasets`` keeps working; new code
imports from :mod:`rcot_lib.training_data`.
"""

from rcot_lib.training_data import (
    DegradationMix,
    Image8,
    IndexStream,
    from_config,
    load_clean_images,
    load_pair_images,
    make_loader,
    random_crop,
    resolve_sources,
    validation_batch,
)

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
