"""Former home of :mod:`rcot_lib.degrade.sampling`, which holds these names now.

Re-exported so that ``rcot_lib.sampling`` keeps working; new code imports from
:mod:`rcot_lib.degrade.sampling`.
"""

from rcot_lib.degrade.sampling import (
    Range,
    Seed,
    as_batch,
    as_generator,
    draw,
    finish,
    randn,
)

__all__ = ["as_batch", "as_generator", "draw", "finish", "randn", "Range", "Seed"]
