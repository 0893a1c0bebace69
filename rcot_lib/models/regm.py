r"""REGM: the residual embedding generation module of DA-RCOT (Eq. 15).

A small U-shaped encoder/decoder over the transport residual ``r0 = x - G(x)``:

.. math::
    e_3 = \mathcal{E}(r_0), \qquad e_2 = \mathcal{D}_2(e_3), \qquad
    e_1 = \mathcal{D}_1(e_2)

``e3`` is the dense (latent) embedding at ``1/8`` of the resolution, the one the
contrastive loss (Eq. 16) shapes and t-SNE shows; ``e2`` and ``e1`` are its
decoder features at ``1/4`` and ``1/2``. It is the encoder of the four-level
skeleton of :mod:`rcot_lib.models.unet` with two decoder levels (concatenated
skips) and no head, in the chosen backbone's style (NAFNet blocks or Restormer
Transformer blocks, one per level by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import torch
from torch import nn

from rcot_lib.models.backbones import get_style
from rcot_lib.models.layers import Conv1x1
from rcot_lib.models.unet import (
    LEVEL_OF_SCALE,
    UNetEncoder,
    UNetStyle,
    decode_levels,
    level_channels,
)


class REGM(UNetEncoder):
    """Residual encoder (and, for multi-scale embeddings, decoder).

    Parameters
    ----------
    in_channels : int
        Channels of the residual (3 or 1).
    dim : int
        Width of the first level; the levels have ``dim, 2 dim, 4 dim, 8 dim``.
    backbone : {"nafnet", "restormer"} or UNetStyle
        Block style, and the down- and up-sampling layers.
    multiscale : bool
        Return ``(e1, e2, e3)`` (DA-RCOT) or ``(e3,)`` only (RCOT); in the latter
        case no decoder is built.
    blocks : int
        Blocks per level.
    heads : sequence of 4 int
        Heads per level (Restormer style only).
    ffn_expansion : float
        GDFN expansion (Restormer style only).

    Examples
    --------
    >>> m = REGM(3, 4, "nafnet", multiscale=True)
    >>> [tuple(e.shape) for e in m(torch.rand(2, 3, 16, 8))]
    [(2, 8, 8, 4), (2, 16, 4, 2), (2, 32, 2, 1)]
    """

    layer_names = ("intro", "latent")

    def __init__(
        self,
        in_channels: int,
        dim: int,
        backbone: str | UNetStyle = "nafnet",
        multiscale: bool = True,
        blocks: int = 1,
        heads: Sequence[int] = (1, 2, 4, 8),
        ffn_expansion: float = 2.66,
    ) -> None:
        super().__init__()
        style = get_style(backbone)
        chans = level_channels(dim)
        self.multiscale = multiscale
        self.channels = {s: chans[i] for s, i in LEVEL_OF_SCALE.items()}
        make = partial(style.blocks, heads=tuple(heads), ffn_expansion=ffn_expansion)
        # the sampling layers come first (also the unused ``ups`` of a single
        # embedding): the order in which layers are made fixes a seed's weights
        downs = [style.down(chans[i]) for i in range(3)]
        ups = [style.up(chans[i + 1]) for i in (1, 2)]
        self.build_encoder(in_channels, chans, [blocks] * 4, make, downs)
        if multiscale:
            # ups[0]: 1/8 -> 1/4, ups[1]: 1/4 -> 1/2; skips are concatenated
            self.ups = nn.ModuleList(reversed(ups))
            self.reduces = nn.ModuleList(
                Conv1x1(2 * chans[i], chans[i]) for i in (2, 1)
            )
            self.decoders = nn.ModuleList(make(chans[i], blocks, i) for i in (2, 1))

    def embed(self, r: torch.Tensor) -> torch.Tensor:
        """The dense embedding ``e3`` of shape ``(B, 8 dim, H/8, W/8)``."""
        return self.encode(r)[3]

    def forward(self, r: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """``(e1, e2, e3)`` (multi-scale) or ``(e3,)``; ``H, W`` divisible by 8."""
        feats = self.encode(r)
        e3 = feats[3]
        if not self.multiscale:
            return (e3,)
        levels = zip((2, 1), self.ups, self.reduces, self.decoders, strict=True)
        e2, e1 = decode_levels(feats, levels)
        return (e1, e2, e3)
