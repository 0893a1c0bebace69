"""A light NAFNet-style convolutional U-Net: the CPU default generator ``G``.

Blocks are those of NAFNet (Chen et al., ECCV 2022): LayerNorm2d, a depth-wise
convolution, SimpleGate (``a * b`` of the two channel halves) and simplified
channel attention, no non-linear activation and no self-attention. The U-Net
has three down-sampling levels (stride-2 convolutions), a bottleneck, additive
skips and pixel-shuffle up-sampling, so it needs sides divisible by 8.

Like :class:`rcot_lib.models.restormer.Restormer` it exposes ``encode`` and
``decode(x, feats, hooks)``, which lets the two-pass map of
:mod:`rcot_lib.models.two_pass` rerun only the decoder with conditions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

Hooks = dict[int, Callable[[torch.Tensor], torch.Tensor]]


class LayerNorm2d(nn.Module):
    """Layer normalisation over the channels of a ``(B, C, H, W)`` tensor.

    Examples
    --------
    >>> y = LayerNorm2d(4)(torch.randn(2, 4, 3, 5))
    >>> bool(y.mean(1).abs().max() < 1e-5)
    True
    """

    def __init__(self, channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x.permute(0, 2, 3, 1)  # (B, H, W, C)
        y = F.layer_norm(y, y.shape[-1:], self.weight, self.bias, self.eps)
        return y.permute(0, 3, 1, 2)  # (B, C, H, W)


def pointwise(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None
) -> torch.Tensor:
    """A 1x1 convolution as a matrix product over channels (a ``(B, H, W, C)`` view).

    For channels_last input the view is free and ``F.linear`` (one GEMM, also
    in the backward pass) is several times faster on the CPU than the
    convolution kernels; the output is channels_last.
    """
    y = F.linear(x.permute(0, 2, 3, 1), weight.flatten(1), bias)  # (B, H, W, C')
    return y.permute(0, 3, 1, 2)  # (B, C', H, W)


class Conv1x1(nn.Conv2d):
    """``nn.Conv2d(c_in, c_out, 1)`` computed by :func:`pointwise` (same weights)."""

    def __init__(self, c_in: int, c_out: int, bias: bool = True) -> None:
        super().__init__(c_in, c_out, 1, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return pointwise(x, self.weight, self.bias)


def residual_pointwise(
    res: torch.Tensor,
    x: torch.Tensor,
    conv: nn.Conv2d,
    out_scale: torch.Tensor,
    in_scale: torch.Tensor | None = None,
) -> torch.Tensor:
    """``res + out_scale * conv(in_scale * x)`` for a 1x1 ``conv``, as one GEMM.

    The per-channel scales are folded into the weights (``in_scale`` may differ
    per sample: ``(B, C, 1, 1)``; ``out_scale`` is ``(1, C', 1, 1)``) and the
    product is accumulated into a copy of the residual. The result equals the
    plain expression; it only saves the element-wise passes over the feature
    map, which on the CPU cost as much as the matrix product itself.

    Examples
    --------
    >>> conv = nn.Conv2d(4, 6, 1)
    >>> res, x = torch.randn(2, 6, 3, 5), torch.randn(2, 4, 3, 5)
    >>> a, s = torch.randn(1, 6, 1, 1), torch.randn(2, 4, 1, 1)
    >>> y = residual_pointwise(res, x, conv, a, s)
    >>> torch.allclose(y, res + a * conv(s * x), atol=1e-5)
    True
    """
    b, c, h, w = x.shape
    weight = conv.weight.flatten(1) * out_scale.view(-1, 1)  # (C', C)
    # (B, H, W, C'): a free view of channels_last ``res``
    out = res.permute(0, 2, 3, 1) + conv.bias * out_scale.view(-1)
    out = out.contiguous()
    xf = x.permute(0, 2, 3, 1).reshape(b, h * w, c)  # (B, HW, C)
    if in_scale is None:
        out.view(b * h * w, -1).addmm_(xf.view(b * h * w, c), weight.t())
    else:
        wb = weight.unsqueeze(0) * in_scale.view(b, 1, c)  # (B, C', C)
        out.view(b, h * w, -1).baddbmm_(xf, wb.transpose(1, 2))
    return out.permute(0, 3, 1, 2)  # (B, C', H, W), channels_last


def conv_part(conv: nn.Conv2d, x: torch.Tensor, i: int, parts: int = 2) -> torch.Tensor:
    """Output channels ``i``-th of ``parts`` of ``conv(x)``, computed on its own.

    ``conv(x).chunk(parts, dim=1)[i]`` equals ``conv_part(conv, x, i, parts)`` (for a
    depth-wise ``conv``, ``x`` is then the matching part of the input). Computing
    the parts separately keeps each one a dense channels_last tensor: slices of
    a channels_last tensor along channels make element-wise kernels (GELU, the
    gates) several times slower on the CPU.
    """
    n = conv.out_channels // parts
    w = conv.weight[i * n : (i + 1) * n]
    b = conv.bias[i * n : (i + 1) * n] if conv.bias is not None else None
    if conv.kernel_size == (1, 1) and conv.groups == 1 and conv.stride == (1, 1):
        return pointwise(x, w, b)
    groups = conv.groups // parts if conv.groups > 1 else 1
    return F.conv2d(x, w, b, conv.stride, conv.padding, conv.dilation, groups)


def encode_levels(
    x: torch.Tensor,
    intro: nn.Module,
    encoders: Sequence[nn.Module],
    downs: Sequence[nn.Module],
    bottom: nn.Module,
) -> list[torch.Tensor]:
    """A 3-level U-Net encoder pass: the skips ``f1, f2, f3`` and the bottom output.

    Shared by both backbones and the REGM: ``[f1, f2, f3, bottom]`` at scales
    ``1, 1/2, 1/4, 1/8`` of the input.
    """
    feats = []
    h = intro(x)  # (B, dim, H, W)
    for enc, down in zip(encoders, downs, strict=True):
        h = enc(h)
        feats.append(h)
        h = down(h)
    feats.append(bottom(h))  # (B, 8 dim, H/8, W/8)
    return feats


class SimpleGate(nn.Module):
    """Multiply the two channel halves: ``(B, 2C, H, W) -> (B, C, H, W)``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = x.chunk(2, dim=1)
        return a * b


class NAFBlock(nn.Module):
    """NAFNet block: gated depth-wise conv + simplified channel attention, gated FFN.

    The two residual branches are scaled by ``beta`` and ``gamma``, initialised to
    zero as in NAFNet, so a fresh block is the identity. The SimpleGate halves
    are computed as separate convolutions (:func:`conv_part`) and each residual
    branch is one accumulated matrix product (:func:`residual_pointwise`); the
    weights keep NAFNet's layout.
    """

    def __init__(self, c: int, dw_expand: int = 2, ffn_expand: int = 2) -> None:
        super().__init__()
        dw = c * dw_expand
        ffn = c * ffn_expand
        self.norm1 = LayerNorm2d(c)
        self.conv1 = Conv1x1(c, dw)
        self.conv2 = nn.Conv2d(dw, dw, 3, padding=1, groups=dw)
        self.sca = nn.Sequential(nn.AdaptiveAvgPool2d(1), Conv1x1(dw // 2, dw // 2))
        self.conv3 = Conv1x1(dw // 2, c)
        self.norm2 = LayerNorm2d(c)
        self.conv4 = Conv1x1(c, ffn)
        self.conv5 = Conv1x1(ffn // 2, c)
        self.beta = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.gamma = nn.Parameter(torch.zeros(1, c, 1, 1))

    def forward(self, inp: torch.Tensor) -> torch.Tensor:
        h = self.norm1(inp)
        a, b = (conv_part(self.conv2, conv_part(self.conv1, h, i), i) for i in (0, 1))
        x = a * b  # SimpleGate
        # y = inp + beta * conv3(x * sca(x))
        y = residual_pointwise(inp, x, self.conv3, self.beta, self.sca(x))
        h = self.norm2(y)
        x = conv_part(self.conv4, h, 0) * conv_part(self.conv4, h, 1)  # SimpleGate
        return residual_pointwise(y, x, self.conv5, self.gamma)  # y + gamma conv5(x)


def nafnet_blocks(c: int, n: int, **_: object) -> nn.Sequential:
    """``n`` NAFNet blocks of ``c`` channels (extra keywords are ignored)."""
    return nn.Sequential(*[NAFBlock(c) for _ in range(n)])


class NAFNet(nn.Module):
    """Three-level NAFNet-style U-Net with a global residual, ``G(x) = x + U(x)``.

    Parameters
    ----------
    in_channels : int
        3 (RGB) or 1 (grayscale).
    dim : int
        Width of the first level; doubles per level (``dim, 2 dim, 4 dim, 8 dim``).
    blocks : sequence of 4 int
        Encoder blocks at the three levels, then the bottleneck blocks.
    dec_blocks : sequence of 3 int
        Decoder blocks at levels 1, 2, 3 (finest first).
    refine : int
        Extra blocks at full resolution before the output convolution.

    Examples
    --------
    >>> g = NAFNet(3, dim=8, blocks=(1, 1, 1, 1), dec_blocks=(1, 1, 1), refine=0)
    >>> g(torch.rand(1, 3, 16, 24)).shape
    torch.Size([1, 3, 16, 24])
    """

    multiple = 8

    def __init__(
        self,
        in_channels: int = 3,
        dim: int = 32,
        blocks: Sequence[int] = (1, 1, 2, 2),
        dec_blocks: Sequence[int] = (1, 1, 1),
        refine: int = 0,
    ) -> None:
        super().__init__()
        chans = [dim, 2 * dim, 4 * dim, 8 * dim]
        self.channels = {8: chans[3], 4: chans[2], 2: chans[1]}
        self.intro = nn.Conv2d(in_channels, dim, 3, padding=1)
        self.encoders = nn.ModuleList(
            nafnet_blocks(chans[i], blocks[i]) for i in range(3)
        )
        self.downs = nn.ModuleList(
            nn.Conv2d(chans[i], chans[i + 1], 2, stride=2) for i in range(3)
        )
        self.middle = nafnet_blocks(chans[3], blocks[3])
        # ups[i] / decoders[i] bring level i+1 to level i (finest first)
        self.ups = nn.ModuleList(
            nn.Sequential(Conv1x1(chans[i + 1], 2 * chans[i + 1]), nn.PixelShuffle(2))
            for i in range(3)
        )
        self.decoders = nn.ModuleList(
            nafnet_blocks(chans[i], dec_blocks[i]) for i in range(3)
        )
        self.refinement = nafnet_blocks(dim, refine)
        self.ending = nn.Conv2d(dim, in_channels, 3, padding=1)

    def encode(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Skips of levels 1-3 and the bottleneck output ``[f1, f2, f3, latent]``."""
        return encode_levels(x, self.intro, self.encoders, self.downs, self.middle)

    def decode(
        self, x: torch.Tensor, feats: list[torch.Tensor], hooks: Hooks | None = None
    ) -> torch.Tensor:
        """Decoder; ``hooks[s]`` edits the feature at scale ``1/s`` (s = 8, 4, 2)."""
        hooks = hooks or {}
        h = feats[3]
        if 8 in hooks:
            h = hooks[8](h)
        for i in (2, 1, 0):
            h = self.decoders[i](self.ups[i](h) + feats[i])
            scale = 2**i
            if scale in hooks:
                h = hooks[scale](h)
        h = self.refinement(h)
        return self.ending(h) + x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(x, self.encode(x))
