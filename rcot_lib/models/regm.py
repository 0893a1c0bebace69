r"""REGM: the residual embedding generation module of DA-RCOT (Eq. 15).

A small U-shaped encoder/decoder over the transport residual ``r0 = x - G(x)``:

.. math::
    e_3 = \mathcal{E}(r_0), \qquad e_2 = \mathcal{D}_2(e_3), \qquad
    e_1 = \mathcal{D}_1(e_2)

``e3`` is the dense (latent) embedding at ``1/8`` of the resolution, the one the
contrastive loss (Eq. 16) shapes and t-SNE shows; ``e2`` and ``e1`` are its
decoder features at ``1/4`` and ``1/2``. Blocks are those of the chosen backbone
(NAFNet blocks or Restormer Transformer blocks), one per level by default.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from rcot_lib.models.nafnet import Conv1x1, encode_levels, nafnet_blocks
from rcot_lib.models.restormer import downsample, restormer_blocks, upsample


class REGM(nn.Module):
    """Residual encoder (and, for multi-scale embeddings, decoder).

    Parameters
    ----------
    in_channels : int
        Channels of the residual (3 or 1).
    dim : int
        Width of the first level; the levels have ``dim, 2 dim, 4 dim, 8 dim``.
    backbone : {"nafnet", "restormer"}
        Block style.
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

    def __init__(
        self,
        in_channels: int,
        dim: int,
        backbone: str = "nafnet",
        multiscale: bool = True,
        blocks: int = 1,
        heads: Sequence[int] = (1, 2, 4, 8),
        ffn_expansion: float = 2.66,
    ) -> None:
        super().__init__()
        chans = [dim, 2 * dim, 4 * dim, 8 * dim]
        self.multiscale = multiscale
        self.channels = {8: chans[3], 4: chans[2], 2: chans[1]}
        if backbone == "restormer":

            def make(i: int) -> nn.Module:
                return restormer_blocks(chans[i], blocks, heads[i], ffn_expansion)

            downs = [downsample(chans[i]) for i in range(3)]
            ups = [upsample(chans[i + 1]) for i in (1, 2)]
        else:

            def make(i: int) -> nn.Module:
                return nafnet_blocks(chans[i], blocks)

            downs = [nn.Conv2d(chans[i], chans[i + 1], 2, stride=2) for i in range(3)]
            ups = [
                nn.Sequential(
                    Conv1x1(chans[i + 1], 2 * chans[i + 1]), nn.PixelShuffle(2)
                )
                for i in (1, 2)
            ]
        self.intro = nn.Conv2d(in_channels, dim, 3, padding=1)
        self.encoders = nn.ModuleList(make(i) for i in range(3))
        self.downs = nn.ModuleList(downs)
        self.latent = make(3)
        if multiscale:
            # ups[0]: 1/8 -> 1/4, ups[1]: 1/4 -> 1/2; skips are concatenated
            self.ups = nn.ModuleList(reversed(ups))
            self.reduces = nn.ModuleList(
                Conv1x1(2 * chans[i], chans[i]) for i in (2, 1)
            )
            self.decoders = nn.ModuleList(make(i) for i in (2, 1))

    def _encode(self, r: torch.Tensor) -> list[torch.Tensor]:
        return encode_levels(r, self.intro, self.encoders, self.downs, self.latent)

    def embed(self, r: torch.Tensor) -> torch.Tensor:
        """The dense embedding ``e3`` of shape ``(B, 8 dim, H/8, W/8)``."""
        return self._encode(r)[3]

    def forward(self, r: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """``(e1, e2, e3)`` (multi-scale) or ``(e3,)``; ``H, W`` divisible by 8."""
        feats = self._encode(r)
        e3 = feats[3]
        if not self.multiscale:
            return (e3,)
        h, outs = e3, []
        for up, reduce, dec, skip in zip(
            self.ups, self.reduces, self.decoders, (feats[2], feats[1]), strict=True
        ):
            h = dec(reduce(torch.cat([up(h), skip], dim=1)))
            outs.append(h)
        e2, e1 = outs
        return (e1, e2, e3)
