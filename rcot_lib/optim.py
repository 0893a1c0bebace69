"""The map's optimiser by name and the learning-rate schedules of a TrainConfig."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from rcot_lib.train_config import TrainConfig


def lr_factor(cfg: TrainConfig, step: int, elapsed: float = 0.0) -> float:
    """Learning-rate multiplier at ``step`` (warm-up, then step or cosine decay).

    With ``max_minutes`` set, the cosine decay follows whichever runs out first,
    steps or wall time (so a time-limited run still ends at a small rate; such a
    run is not bit-reproducible).
    """
    if cfg.warmup and step < cfg.warmup:
        return (step + 1) / cfg.warmup
    if cfg.schedule == "step":
        return cfg.lr_gamma ** (step // cfg.lr_step) if cfg.lr_step else 1.0
    if cfg.schedule == "cosine":
        frac = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
        if cfg.max_minutes:
            frac = max(frac, elapsed / (60 * cfg.max_minutes))
        return 0.5 * (1 + math.cos(math.pi * min(1.0, frac)))
    if cfg.schedule == "constant":
        return 1.0
    raise ValueError(
        f"schedule must be 'step', 'cosine' or 'constant', not {cfg.schedule!r}"
    )


def make_optimizer(
    name: str, params, lr: float, wd: float = 0.0
) -> torch.optim.Optimizer:
    """An optimiser by name: ``"rmsprop"``, ``"adam"`` or ``"adamw"``."""
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, weight_decay=wd)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    raise ValueError(f"optimizer must be 'rmsprop', 'adam' or 'adamw', not {name!r}")
