r"""The two-pass residual-conditioned transport map of DA-RCOT (Eq. 14-15).

.. math::
    x_0 = G(x), \qquad r_0 = x - x_0, \qquad
    (e_1, e_2, e_3) = \mathrm{REGM}(r_0), \qquad
    T(x) = G(x \mid e_1, e_2, e_3)

The map is independent of the backbone ``G`` (NAFNet- or Restormer-style, named
in :data:`rcot_lib.models.backbones.BACKBONES`): the backbone only has to expose
``encode`` and ``decode(x, feats, hooks)`` (:class:`rcot_lib.models.unet.UNet`). In the
second pass the encoder features of the first pass are reused and only the
decoder reruns; each embedding is added, weighted 0.8, to the decoder feature
at its scale (``e3`` at 1/8, ``e2`` at 1/4, ``e1`` at 1/2), followed by one block
and a 1x1 convolution ("fusion"). ``condition="single"`` is RCOT (``e3`` only)
and ``condition="none"`` is the plain backbone (one pass).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from rcot_lib.models.backbones import get_backbone
from rcot_lib.models.config import ModelConfig
from rcot_lib.models.layers import Conv1x1
from rcot_lib.models.regm import REGM
from rcot_lib.models.unet import LEVEL_OF_SCALE

CONDITIONS = ("multiscale", "single", "none")


@dataclass
class MapOutput:
    """Everything one call of the map computes.

    Attributes
    ----------
    out : torch.Tensor
        ``T(x)``, ``(B, C, H, W)``.
    x0 : torch.Tensor
        First-pass restoration ``G(x)``, ``(B, C, H, W)`` (``out`` when unconditioned).
    r0 : torch.Tensor
        Transport residual ``x - x0``, ``(B, C, H, W)``.
    embeddings : tuple of torch.Tensor
        ``(e1, e2, e3)``, ``(e3,)`` or ``()``; ``e3`` is ``(B, C3, H/8, W/8)``
        (sides rounded up), ``e2`` and ``e1`` are at ``1/4`` and ``1/2``.
    """

    out: torch.Tensor
    x0: torch.Tensor
    r0: torch.Tensor
    embeddings: tuple[torch.Tensor, ...]


def pad_to_multiple(x: torch.Tensor, multiple: int) -> tuple[torch.Tensor, int, int]:
    """Reflect-pad ``(B, C, H, W)`` (bottom, right) to sides divisible by ``multiple``.

    Falls back to replicate padding when a side is too small to reflect.

    Examples
    --------
    >>> y, h, w = pad_to_multiple(torch.rand(1, 3, 37, 53), 8)
    >>> tuple(y.shape), h, w
    ((1, 3, 40, 56), 37, 53)
    """
    h, w = x.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph == 0 and pw == 0:
        return x, h, w
    mode = "reflect" if ph < h and pw < w else "replicate"
    return F.pad(x, (0, pw, 0, ph), mode=mode), h, w


class Fusion(nn.Module):
    """``conv1x1(block(h + w proj(e)))``: inject an embedding into a decoder feature."""

    def __init__(
        self, block: nn.Module, emb_ch: int, feat_ch: int, weight: float
    ) -> None:
        super().__init__()
        self.proj = nn.Identity() if emb_ch == feat_ch else Conv1x1(emb_ch, feat_ch)
        self.block = block
        self.conv = Conv1x1(feat_ch, feat_ch)
        self.weight = weight

    def forward(self, h: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        return self.conv(self.block(h + self.weight * self.proj(e)))


class TwoPassMap(nn.Module):
    """DA-RCOT map ``T``: generator ``G`` conditioned on residual embeddings.

    Parameters
    ----------
    cfg : ModelConfig
        Architecture; see :func:`build_map`.
    """

    def __init__(self, cfg: ModelConfig) -> None:
        super().__init__()
        _validate(cfg)
        self.cfg = cfg
        self.condition = cfg.condition
        c = cfg.in_channels
        backbone = get_backbone(cfg.backbone)
        style = backbone.style
        self.generator = backbone(
            c, cfg.dim, cfg.blocks, cfg.dec_blocks, cfg.refine, cfg.heads,
            cfg.ffn_expansion,
        )
        self.multiple = self.generator.multiple
        self.regm = None
        self.fusions = nn.ModuleDict()
        if cfg.condition == "none":
            return
        multiscale = cfg.condition == "multiscale"
        self.regm = REGM(
            c,
            cfg.regm_dim or cfg.dim,
            style,
            multiscale=multiscale,
            blocks=cfg.regm_blocks,
            heads=cfg.heads,
            ffn_expansion=cfg.ffn_expansion,
        )
        for s in (2, 4, 8) if multiscale else (8,):
            ch = self.generator.channels[s]
            block = style.blocks(
                ch, cfg.fusion_blocks, LEVEL_OF_SCALE[s], cfg.heads, cfg.ffn_expansion
            )
            self.fusions[str(s)] = Fusion(
                block, self.regm.channels[s], ch, cfg.fusion_weight
            )

    def _run(self, x: torch.Tensor, embed_only: bool = False):
        xp, h, w = pad_to_multiple(x, self.multiple)  # (B, C, H', W')
        # channels_last throughout: convolutions, the channel LayerNorm and the
        # element-wise residual adds then share one memory layout (much faster
        # on CPU than mixing layouts)
        xp = xp.contiguous(memory_format=torch.channels_last)
        feats = self.generator.encode(xp)
        x0p = self.generator.decode(xp, feats)
        if self.regm is None:
            out = x0p[..., :h, :w]
            return MapOutput(out, out, x - out, ())
        r0p = xp - x0p
        if embed_only:
            return self.regm.embed(r0p)
        embs = self.regm(r0p)
        scales = (2, 4, 8) if len(embs) == 3 else (8,)
        hooks = {
            s: (lambda f, e=e, m=self.fusions[str(s)]: m(f, e))
            for s, e in zip(scales, embs, strict=True)
        }
        out = self.generator.decode(xp, feats, hooks)[..., :h, :w]
        x0 = x0p[..., :h, :w]
        return MapOutput(out, x0, x - x0, embs)

    def forward(self, x: torch.Tensor, return_all: bool = False):
        """Restore ``x`` of shape ``(B, C, H, W)``, any ``H, W``.

        Returns ``T(x)`` (``(B, C, H, W)``), or a :class:`MapOutput` when
        ``return_all`` is true.
        """
        if x.ndim != 4 or x.shape[1] != self.cfg.in_channels:
            raise ValueError(
                f"expected a (B, {self.cfg.in_channels}, H, W) batch, "
                f"got {tuple(x.shape)}"
            )
        o = self._run(x)
        return o if return_all else o.out

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Dense residual embedding ``e3`` ``(B, C3, H/8, W/8)``: pass 1 + REGM only."""
        if self.regm is None:
            raise ValueError("condition='none' has no residual embedding")
        return self._run(x, embed_only=True)


def _validate(cfg: ModelConfig) -> None:
    get_backbone(cfg.backbone)  # a clear error for an unknown name
    if cfg.condition not in CONDITIONS:
        raise ValueError(
            f"unknown condition {cfg.condition!r}; choose from {CONDITIONS}"
        )
    if len(cfg.blocks) != 4:
        raise ValueError(
            f"blocks needs 4 entries (levels 1-3 and the bottleneck), "
            f"got {cfg.blocks}"
        )
    if cfg.dec_blocks and len(cfg.dec_blocks) != 3:
        raise ValueError(f"dec_blocks needs 3 entries, got {cfg.dec_blocks}")
    if cfg.backbone == "restormer" and len(cfg.heads) != 4:
        raise ValueError(f"heads needs 4 entries, got {cfg.heads}")


def build_map(cfg: ModelConfig | None = None) -> TwoPassMap:
    """Build the transport map ``T`` of Eq. 14-15 from a :class:`ModelConfig`.

    Parameters
    ----------
    cfg : ModelConfig, optional
        Defaults to the light NAFNet-style DA-RCOT map.

    Returns
    -------
    TwoPassMap
        ``T(x)`` for ``x`` of shape ``(B, C, H, W)``; ``T(x, return_all=True)``
        gives a :class:`MapOutput`; ``T.multiple`` is the padding multiple.

    Examples
    --------
    >>> cfg = ModelConfig(dim=8, blocks=(1, 1, 1, 1), regm_dim=4)
    >>> T = build_map(cfg)
    >>> o = T(torch.rand(2, 3, 37, 53), return_all=True)
    >>> tuple(o.out.shape), [tuple(e.shape) for e in o.embeddings][-1]
    ((2, 3, 37, 53), (2, 32, 5, 7))
    """
    return TwoPassMap(cfg or ModelConfig())
