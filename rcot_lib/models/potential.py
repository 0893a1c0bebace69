r"""The Kantorovich potential ``phi`` (the critic of Eq. 5), any input size.

.. math::
    \sup_{\phi} \; \mathbb{E}_{\nu}[\phi(y)] - \mathbb{E}_{\mu}[\phi(T(x))]

A plain convolutional critic: stride-2 3x3 convolutions with LeakyReLU(0.2),
channels ``width, 2 width, ...`` (capped at ``8 width``), no batch normalisation
(the WGAN-GP gradient penalty is per sample), global average pooling and a
linear layer to one number per image. Global pooling means any ``H, W`` works,
unlike a first linear layer sized from the patch.
"""

from __future__ import annotations

import torch
from torch import nn


class Potential(nn.Module):
    """Convolutional potential ``phi: (B, C, H, W) -> (B,)``.

    Parameters
    ----------
    in_channels : int
        3 or 1.
    width : int
        Channels of the first convolution (doubles per stage, at most ``8 width``).
    depth : int
        Number of stride-2 stages.

    Examples
    --------
    >>> phi = Potential(3, width=8, depth=3)
    >>> phi(torch.rand(2, 3, 64, 64)).shape, phi(torch.rand(2, 3, 37, 53)).shape
    (torch.Size([2]), torch.Size([2]))
    """

    def __init__(self, in_channels: int = 3, width: int = 32, depth: int = 4) -> None:
        super().__init__()
        if width < 1 or depth < 1:
            raise ValueError(f"width and depth must be >= 1, got {width}, {depth}")
        layers: list[nn.Module] = []
        c_in = in_channels
        for i in range(depth):
            c_out = width * 2 ** min(i, 3)
            layers += [
                nn.Conv2d(c_in, c_out, 3, stride=2, padding=1),
                nn.LeakyReLU(0.2),
            ]
            c_in = c_out
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(c_in, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x).mean(dim=(-2, -1))  # (B, C')
        return self.head(h).squeeze(-1)  # (B,)


def build_potential(cfg=None) -> Potential:
    """The potential of a :class:`~rcot_lib.models.config.ModelConfig`.

    Uses ``cfg.in_channels``, ``cfg.potential_width`` and ``cfg.potential_depth``.
    """
    from rcot_lib.models.config import ModelConfig

    cfg = cfg or ModelConfig()
    return Potential(cfg.in_channels, cfg.potential_width, cfg.potential_depth)
