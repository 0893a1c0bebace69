"""Former home of :mod:`rcot_lib.degrade.weather`, which holds these names now.

Re-exported so that ``rcot_lib.weather`` keeps working; new code imports from
:mod:`rcot_lib.degrade.weather`.
"""

from rcot_lib.degrade.weather import (
    RAIN_SETTINGS,
    add_haze,
    add_rain,
    rain_layer,
    synthetic_depth,
)

__all__ = ["RAIN_SETTINGS", "add_haze", "add_rain", "rain_layer", "synthetic_depth"]
