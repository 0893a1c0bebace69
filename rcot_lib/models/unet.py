r"""The four-level U-Net skeleton of the generators ``G`` and of the REGM.

Levels 1-4 work at scales ``1, 1/2, 1/4, 1/8`` with ``dim, 2 dim, 4 dim, 8 dim``
channels; level 4 is the bottleneck. In code a level is its index ``i = 0..3``.

.. math::
    f_1 = E_1(\mathrm{stem}(x)), \quad f_{i+1} = E_{i+1}(\mathrm{down}_i(f_i)),
    \quad h_3 = f_4, \quad
    h_{i-1} = D_{i-1}\big(\mathrm{merge}(\mathrm{up}_i(h_i), f_{i-1})\big)

The skeleton fixes the channels, the order in which layers are made (hence the
initial weights of a seed) and the encoder and decoder passes. A backbone is a
:class:`UNetStyle`: its block factory, its down- and up-sampling layers and how
a decoder level merges the encoder's skip (added, or concatenated and reduced by
a 1x1 convolution). :class:`UNet` is the generator (with a global residual,
``G(x) = x + U(x)``); :class:`rcot_lib.models.regm.REGM` uses the same encoder
and decoder passes for the residual. The backbones are
:class:`rcot_lib.models.nafnet.NAFNet` and
:class:`rcot_lib.models.restormer.Restormer`; a U-Net needs sides divisible by 8.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar, Protocol

import torch
from torch import nn

from rcot_lib.models.layers import Conv1x1

#: ``hooks[s]`` edits the decoder feature at scale ``1/s`` (``s`` = 8, 4, 2).
Hooks = dict[int, Callable[[torch.Tensor], torch.Tensor]]
#: Level index (0 = full resolution) of each hooked scale.
LEVEL_OF_SCALE = {8: 3, 4: 2, 2: 1}


class BlockFactory(Protocol):
    """``count`` blocks of ``channels`` channels at level index ``level``."""

    def __call__(
        self,
        channels: int,
        count: int,
        level: int,
        heads: Sequence[int],
        ffn_expansion: float,
    ) -> nn.Module: ...


@dataclass(frozen=True)
class UNetStyle:
    """What a backbone puts into the skeleton.

    Attributes
    ----------
    blocks : BlockFactory
        ``blocks(channels, count, level, heads, ffn_expansion)``; ``heads`` is
        the per-level tuple of the configuration.
    down : callable
        ``down(c)``: ``(B, c, H, W) -> (B, 2c, H/2, W/2)``.
    up : callable
        ``up(c)``: ``(B, c, H, W) -> (B, c/2, 2H, 2W)``.
    concat_skips : bool
        The generator's merge: concatenate the skip, then a 1x1 convolution
        halves the channels at levels 2 and 3 (level 1 keeps ``2 dim``, as in
        Restormer); false adds the skip (NAFNet).
    bias : bool
        Biases of the generator's stem, head and skip reductions.
    decoder_blocks : callable
        Default decoder blocks (levels 1-3) from the encoder's ``blocks``.
    """

    blocks: BlockFactory
    down: Callable[[int], nn.Module]
    up: Callable[[int], nn.Module]
    concat_skips: bool
    bias: bool
    decoder_blocks: Callable[[Sequence[int]], tuple[int, ...]]


def level_channels(dim: int) -> list[int]:
    """Channels of levels 1-4: ``[dim, 2 dim, 4 dim, 8 dim]``."""
    return [dim * 2**i for i in range(4)]


def merge_skip(
    up: torch.Tensor, skip: torch.Tensor, reduce: nn.Module | None
) -> torch.Tensor:
    """``up + skip`` (``reduce`` None) or ``reduce(cat(up, skip))`` over channels."""
    if reduce is None:
        return up + skip
    return reduce(torch.cat([up, skip], dim=1))


DecoderLevel = tuple[int, nn.Module, "nn.Module | None", nn.Module]


def decode_levels(
    feats: Sequence[torch.Tensor],
    levels: Iterable[DecoderLevel],
    hooks: Hooks | None = None,
) -> list[torch.Tensor]:
    """The decoder pass from the bottleneck output ``feats[3]``, coarsest level first.

    Parameters
    ----------
    feats : sequence of torch.Tensor
        ``[f1, f2, f3, bottleneck]`` of :meth:`UNetEncoder.encode`.
    levels : iterable of (level, up, reduce, blocks)
        One decoder level each: up-sample, merge ``feats[level]``
        (:func:`merge_skip`), then the blocks.
    hooks : Hooks, optional
        ``hooks[s]`` edits the feature at scale ``1/s`` after its level.

    Returns
    -------
    list of torch.Tensor
        The output of each decoder level, in the order of ``levels``.
    """
    hooks = hooks or {}
    h = feats[3]
    if 8 in hooks:
        h = hooks[8](h)
    outs = []
    for level, up, reduce, blocks in levels:
        h = blocks(merge_skip(up(h), feats[level], reduce))
        scale = 2**level
        if scale in hooks:
            h = hooks[scale](h)
        outs.append(h)
    return outs


class UNetEncoder(nn.Module):
    """The encoder half: stem, levels 1-3 (blocks, then down-sampling), bottleneck.

    ``layer_names`` name the stem and the bottleneck (and, for :class:`UNet`,
    the head): they are the keys of saved weights, so they follow each
    backbone's original code.
    """

    layer_names: ClassVar[tuple[str, ...]] = ("intro", "latent")

    def build_encoder(
        self,
        in_channels: int,
        chans: Sequence[int],
        blocks: Sequence[int],
        make: Callable[[int, int, int], nn.Module],
        downs: Iterable[nn.Module],
        bias: bool = True,
    ) -> None:
        """Make the stem, ``encoders``, ``downs`` and the bottleneck, in this order.

        ``downs`` is consumed after the encoder blocks are made (pass a list to
        make the down-sampling layers first).
        """
        stem, bottleneck = self.layer_names[:2]
        setattr(self, stem, nn.Conv2d(in_channels, chans[0], 3, padding=1, bias=bias))
        self.encoders = nn.ModuleList(make(chans[i], blocks[i], i) for i in range(3))
        self.downs = nn.ModuleList(downs)
        setattr(self, bottleneck, make(chans[3], blocks[3], 3))

    def encode(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Skips of levels 1-3 and the bottleneck output ``[f1, f2, f3, latent]``.

        Scales ``1, 1/2, 1/4, 1/8`` of the input, ``(B, dim, H, W)`` to
        ``(B, 8 dim, H/8, W/8)``.
        """
        stem, bottleneck = (getattr(self, n) for n in self.layer_names[:2])
        feats = []
        h = stem(x)  # (B, dim, H, W)
        for enc, down in zip(self.encoders, self.downs, strict=True):
            h = enc(h)
            feats.append(h)
            h = down(h)
        feats.append(bottleneck(h))  # (B, 8 dim, H/8, W/8)
        return feats


class UNet(UNetEncoder):
    """Four-level U-Net generator with a global residual, ``G(x) = x + U(x)``.

    Subclasses set :attr:`style` (the backbone) and :attr:`layer_names`.

    Parameters
    ----------
    in_channels : int
        3 (RGB) or 1 (grayscale).
    dim : int
        Width of level 1; levels have ``dim, 2 dim, 4 dim, 8 dim`` channels.
    blocks : sequence of 4 int
        Encoder blocks at levels 1-3, then the bottleneck blocks.
    dec_blocks : sequence of 3 int
        Decoder blocks at levels 1, 2, 3; empty means the style's default.
    refine : int
        Blocks at full resolution before the output convolution.
    heads : sequence of 4 int
        Attention heads per level (used by Restormer blocks).
    ffn_expansion : float
        Feed-forward expansion (used by Restormer blocks).
    """

    multiple = 8
    style: ClassVar[UNetStyle]
    layer_names: ClassVar[tuple[str, ...]] = ("intro", "middle", "ending")

    def __init__(
        self,
        in_channels: int,
        dim: int,
        blocks: Sequence[int],
        dec_blocks: Sequence[int] = (),
        refine: int = 0,
        heads: Sequence[int] = (1, 2, 4, 8),
        ffn_expansion: float = 2.66,
    ) -> None:
        super().__init__()
        style = self.style
        chans = level_channels(dim)
        # hook points: bottleneck (1/8), decoder level 3 (1/4), decoder level 2 (1/2)
        self.channels = {s: chans[i] for s, i in LEVEL_OF_SCALE.items()}
        make = partial(style.blocks, heads=tuple(heads), ffn_expansion=ffn_expansion)
        dec_blocks = tuple(dec_blocks) or style.decoder_blocks(blocks)
        downs = (style.down(chans[i]) for i in range(3))
        self.build_encoder(in_channels, chans, blocks, make, downs, style.bias)
        # ups[i] / reduces[i] / decoders[i] bring level i+1 to level i (finest first)
        self.ups = nn.ModuleList(style.up(chans[i + 1]) for i in range(3))
        dec_chans = chans[:3]
        if style.concat_skips:
            self.reduces = nn.ModuleList(
                [nn.Identity()]
                + [Conv1x1(2 * chans[i], chans[i], bias=style.bias) for i in (1, 2)]
            )
            dec_chans = [2 * dim, chans[1], chans[2]]
        self.decoders = nn.ModuleList(
            make(dec_chans[i], dec_blocks[i], i) for i in range(3)
        )
        self.refinement = make(dec_chans[0], refine, 0)
        head = nn.Conv2d(dec_chans[0], in_channels, 3, padding=1, bias=style.bias)
        setattr(self, self.layer_names[2], head)

    def decode(
        self, x: torch.Tensor, feats: list[torch.Tensor], hooks: Hooks | None = None
    ) -> torch.Tensor:
        """Decoder; ``hooks[s]`` edits the feature at scale ``1/s`` (s = 8, 4, 2)."""
        reduces = self.reduces if self.style.concat_skips else [None] * 3
        levels = [
            (i, self.ups[i], reduces[i], self.decoders[i]) for i in (2, 1, 0)
        ]
        h = decode_levels(feats, levels, hooks)[-1]
        h = self.refinement(h)
        return getattr(self, self.layer_names[2])(h) + x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(x, self.encode(x))
