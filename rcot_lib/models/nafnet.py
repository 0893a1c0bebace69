"""A light NAFNet-style convolutional U-Net: the CPU default generator ``G``.

Blocks are those of NAFNet (Chen et al., ECCV 2022): LayerNorm2d, a depth-wise
convolution, SimpleGate (``a * b`` of the two channel halves) and simplified
channel attention, no non-linear activation and no self-attention. In the
four-level skeleton of :mod:`rcot_lib.models.unet` it goes down with stride-2
convolutions, up with pixel shuffle and adds the skips.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from rcot_lib.models.layers import (  # noqa: F401 (re-exported)
    Conv1x1,
    LayerNorm2d,
    channel_parts,
)
from rcot_lib.models.unet import UNet, UNetStyle


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


def nafnet_down(c: int) -> nn.Conv2d:
    """Stride-2 2x2 convolution: ``(B, c, H, W) -> (B, 2c, H/2, W/2)``."""
    return nn.Conv2d(c, 2 * c, 2, stride=2)


def nafnet_up(c: int) -> nn.Sequential:
    """1x1 conv to ``2c``, pixel shuffle: ``(B, c, H, W) -> (B, c/2, 2H, 2W)``."""
    return nn.Sequential(Conv1x1(c, 2 * c), nn.PixelShuffle(2))


def _level_blocks(
    c: int, n: int, level: int, heads: Sequence[int], ffn_expansion: float
) -> nn.Sequential:
    return nafnet_blocks(c, n)


#: NAFNet in the U-Net skeleton: additive skips, biased stem and head, one
#: decoder block per level by default.
NAFNET_STYLE = UNetStyle(
    blocks=_level_blocks,
    down=nafnet_down,
    up=nafnet_up,
    concat_skips=False,
    bias=True,
    decoder_blocks=lambda blocks: (1, 1, 1),
)


class NAFNet(UNet):
    """Four-level NAFNet-style U-Net with a global residual, ``G(x) = x + U(x)``.

    Parameters as :class:`rcot_lib.models.unet.UNet` (``heads`` and
    ``ffn_expansion`` are not used): width ``dim`` doubling per level, encoder
    ``blocks`` at levels 1-3 and the bottleneck, ``dec_blocks`` (default 1, 1, 1)
    and ``refine`` extra blocks at full resolution before the output convolution.

    Examples
    --------
    >>> g = NAFNet(3, dim=8, blocks=(1, 1, 1, 1), dec_blocks=(1, 1, 1), refine=0)
    >>> g(torch.rand(1, 3, 16, 24)).shape
    torch.Size([1, 3, 16, 24])
    """

    style = NAFNET_STYLE
    layer_names = ("intro", "middle", "ending")
