"""Networks: the two-pass DA-RCOT map ``T`` (NAFNet- or Restormer-style) and ``phi``.

>>> import torch
>>> from rcot_lib.models import ModelConfig, build_map, build_potential
>>> T = build_map(ModelConfig(dim=8, blocks=(1, 1, 1, 1), regm_dim=4))
>>> phi = build_potential(ModelConfig(potential_width=8))
>>> phi(T(torch.rand(1, 3, 20, 30))).shape
torch.Size([1])
"""

from __future__ import annotations

from torch import nn

from rcot_lib.models.config import ModelConfig
from rcot_lib.models.potential import Potential, build_potential
from rcot_lib.models.two_pass import MapOutput, TwoPassMap, build_map, pad_to_multiple

__all__ = [
    "MapOutput",
    "ModelConfig",
    "Potential",
    "TwoPassMap",
    "build_map",
    "build_potential",
    "count_parameters",
    "describe",
    "pad_to_multiple",
]


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters of ``model``."""
    return sum(
        p.numel() for p in model.parameters() if p.requires_grad or not trainable_only
    )


def describe(model: nn.Module) -> str:
    """One line per direct child with its parameter count, then the total.

    Examples
    --------
    >>> print(describe(nn.Sequential(nn.Linear(2, 3))))
    0  Linear  9
    total  9 (0.00 M)
    """
    lines = []
    for name, child in model.named_children():
        if child is None:
            continue
        lines.append(f"{name}  {type(child).__name__}  {count_parameters(child)}")
    n = count_parameters(model)
    lines.append(f"total  {n} ({n / 1e6:.2f} M)")
    return "\n".join(lines)
