"""The generator backbones by name, as :attr:`ModelConfig.backbone` names them.

Each is a :class:`rcot_lib.models.unet.UNet` whose ``style`` (a
:class:`~rcot_lib.models.unet.UNetStyle`) also gives the REGM and the fusion
blocks of the two-pass map their blocks and sampling layers.
"""

from __future__ import annotations

from rcot_lib.models.nafnet import NAFNet
from rcot_lib.models.restormer import Restormer
from rcot_lib.models.unet import UNet, UNetStyle

#: Backbone name -> generator class.
BACKBONES: dict[str, type[UNet]] = {"nafnet": NAFNet, "restormer": Restormer}


def get_backbone(name: str) -> type[UNet]:
    """The generator class of a backbone name (``ValueError`` lists the names).

    >>> get_backbone("nafnet").__name__
    'NAFNet'
    """
    if name not in BACKBONES:
        raise ValueError(
            f"unknown backbone {name!r}; choose from {tuple(BACKBONES)}"
        )
    return BACKBONES[name]


def get_style(backbone: str | UNetStyle) -> UNetStyle:
    """The :class:`UNetStyle` of a backbone name (a style passes through)."""
    return backbone if isinstance(backbone, UNetStyle) else get_backbone(backbone).style
