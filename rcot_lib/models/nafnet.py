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


class Conv1x1(nn.Conv2d):
    """``nn.Conv2d(c_in, c_out, 1)``: a matrix product over the channels of each pixel.

    On channels_last input this is a GEMM over a free ``(B H W, C)`` view. It is
    left a convolution on purpose: on the CPU, ``F.conv2d`` runs in oneDNN. On a
    2-core AMD EPYC it took 0.95x to 0.5x the time of ``F.linear`` (MKL's GEMM)
    on the same view, depending on the shape, forward and backward; whole-map
    inference became 10-30 % faster. The output is channels_last too.
    """

    def __init__(self, c_in: int, c_out: int, bias: bool = True) -> None:
        super().__init__(c_in, c_out, 1, bias=bias)


def residual_pointwise(
    res: torch.Tensor,
    x: torch.Tensor,
    conv: nn.Conv2d,
    out_scale: torch.Tensor,
    in_scale: torch.Tensor | None = None,
) -> torch.Tensor:
    """``res + out_scale * conv(in_scale * x)`` for a 1x1 ``conv``, in fewer passes.

    ``out_scale`` (``(1, C', 1, 1)``) is folded into the weights and bias. So is
    ``in_scale`` (``(B, C, 1, 1)``, per sample) for a single image; for a batch
    it scales ``x``. The residual is then added in place to the fresh output of
    the convolution. The result equals the plain expression; it saves the
    element-wise passes over the feature map, which on the CPU cost about as
    much as the matrix product itself.

    Examples
    --------
    >>> conv = nn.Conv2d(4, 6, 1)
    >>> res, x = torch.randn(2, 6, 3, 5), torch.randn(2, 4, 3, 5)
    >>> a, s = torch.randn(1, 6, 1, 1), torch.randn(2, 4, 1, 1)
    >>> y = residual_pointwise(res, x, conv, a, s)
    >>> torch.allclose(y, res + a * conv(s * x), atol=1e-5)
    True
    """
    weight = conv.weight * out_scale.view(-1, 1, 1, 1)  # (C', C, 1, 1)
    bias = conv.bias * out_scale.view(-1) if conv.bias is not None else None
    if in_scale is not None:
        if x.shape[0] == 1:  # one image: fold its scale into the weights too
            weight = weight * in_scale.view(1, -1, 1, 1)
        else:
            x = x * in_scale
    y = F.conv2d(x, weight, bias)  # (B, C', H, W), a fresh tensor
    # autograd does not need y, so the residual can be added in place; under
    # autocast y is bfloat16 and the residual float32, which keeps the wider type
    return y.add_(res) if y.dtype == res.dtype else res + y


def channel_parts(x: torch.Tensor, parts: int = 2) -> tuple[torch.Tensor, ...]:
    """The ``parts`` channel blocks of ``x``, each a ``(B, H, W, C/parts)`` view.

    ``x.chunk(parts, dim=1)`` holds the same numbers, but for channels_last ``x``
    torch writes the result of an element-wise op on those chunks in NCHW order
    and permutes it back, which makes the gates about 3x slower on the CPU.
    These pixel-major views have a contiguous last axis, so the result of
    ``a * b`` is dense and ``.permute(0, 3, 1, 2)`` makes it channels_last again.

    Examples
    --------
    >>> x = torch.randn(2, 6, 3, 5).contiguous(memory_format=torch.channels_last)
    >>> a, b = channel_parts(x)
    >>> a.shape, bool((a.permute(0, 3, 1, 2) == x[:, :3]).all())
    (torch.Size([2, 3, 5, 3]), True)
    """
    y = x.permute(0, 2, 3, 1)  # (B, H, W, C)
    return y.unflatten(-1, (parts, -1)).unbind(-2)


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


def simple_gate(x: torch.Tensor) -> torch.Tensor:
    """SimpleGate, the product of the channel halves: ``(B, 2C, H, W) -> (B, C, H, W)``.

    Examples
    --------
    >>> x = torch.randn(2, 8, 3, 5)
    >>> a, b = x.chunk(2, dim=1)
    >>> torch.equal(simple_gate(x), a * b)
    True
    """
    a, b = channel_parts(x)  # (B, H, W, C) each
    return (a * b).permute(0, 3, 1, 2)


class NAFBlock(nn.Module):
    """NAFNet block: gated depth-wise conv + simplified channel attention, gated FFN.

    The two residual branches are scaled by ``beta`` and ``gamma``, initialised to
    zero as in NAFNet, so a fresh block is the identity. Each residual branch
    ends in one convolution with the scales folded in (:func:`residual_pointwise`).
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
        x = simple_gate(self.conv2(self.conv1(self.norm1(inp))))
        # y = inp + beta * conv3(x * sca(x))
        y = residual_pointwise(inp, x, self.conv3, self.beta, self.sca(x))
        x = simple_gate(self.conv4(self.norm2(y)))
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
