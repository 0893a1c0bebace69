"""Configuration of the restoration map and the potential network."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Backbone = Literal["nafnet", "restormer"]
Condition = Literal["multiscale", "single", "none"]


@dataclass
class ModelConfig:
    """Architecture settings of the two-pass map ``T`` and the potential ``phi``.

    Attributes
    ----------
    backbone : {"nafnet", "restormer"}
        Generator ``G`` (:data:`rcot_lib.models.backbones.BACKBONES`): the
        four-level U-Net of :mod:`rcot_lib.models.unet` with light convolutional
        NAFNet blocks (the CPU default) or Restormer blocks (MDTA + GDFN), paper
        sizes by config.
    condition : {"multiscale", "single", "none"}
        DA-RCOT (embeddings ``e1, e2, e3``, Eq. 14-15), RCOT (the latent ``e3``
        only) or no residual condition (one pass; the ablation's baseline).
    dim : int
        Channels at the first level (paper: 48).
    blocks : tuple of int
        Blocks at encoder levels 1-3, then in the bottleneck (level 4)
        (paper: 4, 6, 6, 8).
    refine : int
        Refinement blocks at full resolution after the decoder (paper: 4).
    heads : tuple of int
        Attention heads per level (Restormer only; paper: 1, 2, 4, 8).
    ffn_expansion : float
        GDFN / feed-forward expansion factor (paper: 2.66).
    regm_dim : int
        Channels at the first level of the residual encoder (REGM); 0 means ``dim``
        (paper); the light default 16 keeps the second pass cheap.
    in_channels : int
        3 for RGB, 1 for grayscale.
    potential_width : int
        Channels of the first potential layer (doubles per level; global pooling,
        so any input size works).
    potential_depth : int
        Stride-2 stages of the potential network.
    dec_blocks : tuple of int
        Decoder blocks at levels 1, 2, 3; empty means the backbone's default
        (NAFNet: 1, 1, 1; Restormer: the encoder's ``blocks[:3]``).
    regm_blocks : int
        Blocks per level of the residual encoder/decoder (REGM).
    fusion_weight : float
        Weight of an embedding added to the decoder feature (the code's 0.8).
    fusion_blocks : int
        Blocks after each addition, before the 1x1 fusion convolution (the code: 1;
        0 keeps only the convolution, a cheaper second pass).
    """

    backbone: Backbone = "nafnet"
    condition: Condition = "multiscale"
    dim: int = 32
    blocks: tuple[int, ...] = (1, 1, 2, 2)
    refine: int = 0
    heads: tuple[int, ...] = (1, 2, 4, 8)
    ffn_expansion: float = 2.66
    regm_dim: int = 16
    in_channels: int = 3
    potential_width: int = 32
    potential_depth: int = 4
    dec_blocks: tuple[int, ...] = ()
    regm_blocks: int = 1
    fusion_weight: float = 0.8
    fusion_blocks: int = 1
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain dict (lists for tuples), safe for ``torch.save(weights_only=True)``."""
        d = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        """Inverse of :meth:`to_dict`; unknown keys raise a clear error."""
        known = set(cls.__dataclass_fields__)
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown ModelConfig fields: {sorted(unknown)}")
        d = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
        return cls(**d)
