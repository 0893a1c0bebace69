r"""A Restormer-style U-Net (Zamir et al., CVPR 2022): the paper's generator ``G``.

Each Transformer block is

.. math::
    h = x + \mathrm{MDTA}(\mathrm{LN}(x)), \qquad
    y = h + \mathrm{GDFN}(\mathrm{LN}(h)),

with MDTA the multi-Dconv head *transposed* attention (a ``C/heads x C/heads``
attention map over channels, so the cost is linear in the number of pixels) and
GDFN the gated-Dconv feed-forward network. Four levels (pixel-unshuffle down,
pixel-shuffle up, concatenated skips), refinement blocks at full resolution and
a global residual. The paper's size is ``dim=48, blocks=(4, 6, 6, 8),
heads=(1, 2, 4, 8), ffn_expansion=2.66, refine=4`` (about 26.1 M parameters).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn

from rcot_lib.models.nafnet import (
    Conv1x1,
    Hooks,
    LayerNorm2d,
    channel_parts,
    encode_levels,
)


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


class Restormer(nn.Module):
    """Four-level Restormer U-Net with a global residual, ``G(x) = x + U(x)``.

    Parameters
    ----------
    in_channels : int
        3 (RGB) or 1 (grayscale).
    dim : int
        Width of level 1 (paper: 48); levels have ``dim, 2 dim, 4 dim, 8 dim``.
    blocks : sequence of 4 int
        Blocks at levels 1-3 and in the latent (paper: 4, 6, 6, 8).
    dec_blocks : sequence of 3 int
        Decoder blocks at levels 1, 2, 3 (paper: as the encoder, 4, 6, 6).
    heads : sequence of 4 int
        Attention heads per level (paper: 1, 2, 4, 8).
    ffn_expansion : float
        GDFN expansion (paper: 2.66).
    refine : int
        Refinement blocks at full resolution (paper: 4).

    Examples
    --------
    >>> g = Restormer(3, 8, (1, 1, 1, 1), (1, 1, 1), (1, 2, 4, 8), 2.0, 1)
    >>> g(torch.rand(1, 3, 16, 24)).shape
    torch.Size([1, 3, 16, 24])
    """

    multiple = 8

    def __init__(
        self,
        in_channels: int = 3,
        dim: int = 48,
        blocks: Sequence[int] = (4, 6, 6, 8),
        dec_blocks: Sequence[int] = (4, 6, 6),
        heads: Sequence[int] = (1, 2, 4, 8),
        ffn_expansion: float = 2.66,
        refine: int = 4,
    ) -> None:
        super().__init__()
        chans = [dim, 2 * dim, 4 * dim, 8 * dim]
        # hook points: latent (1/8), decoder level 3 (1/4), decoder level 2 (1/2)
        self.channels = {8: chans[3], 4: chans[2], 2: chans[1]}
        ffn = ffn_expansion
        self.patch_embed = nn.Conv2d(in_channels, dim, 3, padding=1, bias=False)
        self.encoders = nn.ModuleList(
            restormer_blocks(chans[i], blocks[i], heads[i], ffn) for i in range(3)
        )
        self.downs = nn.ModuleList(downsample(chans[i]) for i in range(3))
        self.latent = restormer_blocks(chans[3], blocks[3], heads[3], ffn)
        # ups[i] / reduces[i] / decoders[i] bring level i+1 to level i (finest first);
        # level 1 keeps the concatenated 2 dim channels, as in Restormer
        self.ups = nn.ModuleList(upsample(chans[i + 1]) for i in range(3))
        self.reduces = nn.ModuleList(
            [nn.Identity()]
            + [Conv1x1(2 * chans[i], chans[i], bias=False) for i in (1, 2)]
        )
        dec_chans = [2 * dim, chans[1], chans[2]]
        self.decoders = nn.ModuleList(
            restormer_blocks(dec_chans[i], dec_blocks[i], heads[i], ffn)
            for i in range(3)
        )
        self.refinement = restormer_blocks(2 * dim, refine, heads[0], ffn)
        self.output = nn.Conv2d(2 * dim, in_channels, 3, padding=1, bias=False)

    def encode(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Skips of levels 1-3 and the latent output ``[f1, f2, f3, latent]``."""
        return encode_levels(
            x, self.patch_embed, self.encoders, self.downs, self.latent
        )

    def decode(
        self, x: torch.Tensor, feats: list[torch.Tensor], hooks: Hooks | None = None
    ) -> torch.Tensor:
        """Decoder; ``hooks[s]`` edits the feature at scale ``1/s`` (s = 8, 4, 2)."""
        hooks = hooks or {}
        h = feats[3]
        if 8 in hooks:
            h = hooks[8](h)
        for i in (2, 1, 0):
            h = torch.cat([self.ups[i](h), feats[i]], dim=1)
            h = self.decoders[i](self.reduces[i](h))
            scale = 2**i
            if scale in hooks:
                h = hooks[scale](h)
        h = self.refinement(h)
        return self.output(h) + x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(x, self.encode(x))
