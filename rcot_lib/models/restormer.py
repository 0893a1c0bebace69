r"""A Restormer-style U-Net (Zamir et al., CVPR 2022): the paper's generator ``G``.

Each Transformer block is

.. math::
    h = x + \mathrm{MDTA}(\mathrm{LN}(x)), \qquad
    y = h + \mathrm{GDFN}(\mathrm{LN}(h)),

with MDTA the multi-Dconv head *transposed* attention (a ``C/heads x C/heads``
attention map over channels, so the cost is linear in the number of pixels) and
GDFN the gated-Dconv feed-forward network. In the four-level skeleton of
:mod:`rcot_lib.models.unet` it goes down with pixel-unshuffle, up with pixel
shuffle and concatenates the skips; refinement blocks at full resolution and a
global residual. The paper's size is ``dim=48, blocks=(4, 6, 6, 8),
heads=(1, 2, 4, 8), ffn_expansion=2.66, refine=4`` (about 26.1 M parameters).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn

from rcot_lib.models.layers import Conv1x1, LayerNorm2d, channel_parts
from rcot_lib.models.unet import UNet, UNetStyle


class MDTA(nn.Module):
    r"""Multi-Dconv head transposed attention: attention across channels.

    .. math::
        \mathrm{Attn}(Q, K, V) = V \, \mathrm{softmax}(\hat K^\top \hat Q / \tau)

    where ``Q, K, V`` are ``(C/heads, H W)`` per head, L2-normalised along pixels.

    Parameters
    ----------
    dim : int
        Channels ``C``.
    heads : int
        Attention heads (must divide ``dim``).
    """

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"heads={heads} must divide the channels ({dim})")
        self.heads = heads
        self.temperature = nn.Parameter(torch.ones(heads, 1, 1))
        self.qkv = Conv1x1(dim, dim * 3, bias=False)
        self.qkv_dwconv = nn.Conv2d(
            dim * 3, dim * 3, 3, padding=1, groups=dim * 3, bias=False
        )
        self.project_out = Conv1x1(dim, dim, bias=False)

    def attention_map(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Attention ``(B, n, C/n, C/n)`` and values ``(B, n, H W, C/n)``, n heads.

        Works in the pixels-major layout ``(B, H W, C)``, a free view of a
        channels_last tensor, so no copy is needed before the matrix products.
        """
        qkv = self.qkv_dwconv(self.qkv(x))  # (B, 3C, H, W)
        q, k, v = (
            rearrange(t, "b h w (n c) -> b n (h w) c", n=self.heads)
            for t in channel_parts(qkv, 3)  # views for channels_last input
        )
        q = F.normalize(q, dim=-2)  # unit norm over the pixels
        k = F.normalize(k, dim=-2)
        attn = (q.transpose(-2, -1) @ k) * self.temperature  # (B, n, c, c)
        return attn.softmax(dim=-1), v

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        attn, v = self.attention_map(x)
        out = v @ attn.transpose(-2, -1)  # (B, n, HW, c): out_i = sum_j attn_ij v_j
        out = rearrange(out, "b n (h w) c -> b h w (n c)", h=x.shape[-2])
        return self.project_out(out.permute(0, 3, 1, 2))  # (B, C, H, W) channels_last


class GDFN(nn.Module):
    """Gated-Dconv feed-forward network: ``W_o (GELU(D_1 W_1 x) * D_2 W_2 x)``."""

    def __init__(self, dim: int, expansion: float) -> None:
        super().__init__()
        hidden = int(dim * expansion)
        self.project_in = Conv1x1(dim, hidden * 2, bias=False)
        self.dwconv = nn.Conv2d(
            hidden * 2, hidden * 2, 3, padding=1, groups=hidden * 2, bias=False
        )
        self.project_out = Conv1x1(hidden, dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = channel_parts(self.dwconv(self.project_in(x)))  # (B, H, W, hidden)
        return self.project_out((F.gelu(a) * b).permute(0, 3, 1, 2))


class TransformerBlock(nn.Module):
    """Restormer block: pre-norm MDTA and GDFN, each with a residual connection."""

    def __init__(self, dim: int, heads: int = 1, ffn_expansion: float = 2.66) -> None:
        super().__init__()
        self.norm1 = LayerNorm2d(dim, eps=1e-5)
        self.attn = MDTA(dim, heads)
        self.norm2 = LayerNorm2d(dim, eps=1e-5)
        self.ffn = GDFN(dim, ffn_expansion)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.ffn(self.norm2(x))


def restormer_blocks(
    c: int, n: int, heads: int = 1, ffn_expansion: float = 2.66
) -> nn.Sequential:
    """``n`` Restormer Transformer blocks of ``c`` channels."""
    return nn.Sequential(*[TransformerBlock(c, heads, ffn_expansion) for _ in range(n)])


def downsample(c: int) -> nn.Sequential:
    """Conv to ``c/2``, pixel-unshuffle: ``(B, c, H, W) -> (B, 2c, H/2, W/2)``."""
    return nn.Sequential(
        nn.Conv2d(c, c // 2, 3, padding=1, bias=False), nn.PixelUnshuffle(2)
    )


def upsample(c: int) -> nn.Sequential:
    """Conv to ``2c`` then pixel-shuffle: ``(B, c, H, W) -> (B, c/2, 2H, 2W)``."""
    return nn.Sequential(
        nn.Conv2d(c, c * 2, 3, padding=1, bias=False), nn.PixelShuffle(2)
    )


def _level_blocks(
    c: int, n: int, level: int, heads: Sequence[int], ffn_expansion: float
) -> nn.Sequential:
    return restormer_blocks(c, n, heads[level], ffn_expansion)


#: Restormer in the U-Net skeleton: pixel-unshuffle down, pixel-shuffle up,
#: concatenated skips, no biases; the decoder mirrors the encoder by default.
RESTORMER_STYLE = UNetStyle(
    blocks=_level_blocks,
    down=downsample,
    up=upsample,
    concat_skips=True,
    bias=False,
    decoder_blocks=lambda blocks: tuple(blocks[:3]),
)


class Restormer(UNet):
    """Four-level Restormer U-Net with a global residual, ``G(x) = x + U(x)``.

    Parameters as :class:`rcot_lib.models.unet.UNet`; the paper's are
    ``dim=48, blocks=(4, 6, 6, 8)``, decoder blocks as the encoder's (4, 6, 6),
    ``heads=(1, 2, 4, 8)``, ``ffn_expansion=2.66`` and ``refine=4``. Decoder
    level 1 and the refinement keep the ``2 dim`` concatenated channels.

    Examples
    --------
    >>> g = Restormer(3, 8, (1, 1, 1, 1), (1, 1, 1), refine=1, heads=(1, 2, 4, 8))
    >>> g(torch.rand(1, 3, 16, 24)).shape
    torch.Size([1, 3, 16, 24])
    """

    style = RESTORMER_STYLE
    layer_names = ("patch_embed", "latent", "output")
