"""Checkpoints: written atomically, read with ``torch.load(weights_only=True)``.

A training checkpoint holds the training configuration, the model configuration,
the weights of the map and the potential, both optimisers' states, the step and
the random-number state, so that a resumed run continues exactly. A *weights*
checkpoint (:func:`export_weights`) keeps only the configurations and the map,
which is all that restoring and evaluating need.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from rcot_lib.files import atomic_write

FORMAT = "rcot-kit/checkpoint"
VERSION = 1
#: What a resumed run reads besides the weights (absent from weights checkpoints).
RESUME_KEYS = ("step", "opt_map", "rng")
# How torch files begin: a zip archive (torch.save), or a pickle (the legacy format).
_TORCH_MAGIC = (b"PK\x03\x04", b"\x80")


def _reason(exc: BaseException) -> str:
    """One line saying why ``torch.load`` failed (its messages run to paragraphs)."""
    text = str(exc)
    if "Weights only load failed" in text:
        return "it holds objects other than tensors and plain data"
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return f"{type(exc).__name__}: {line[:200]}" if line else type(exc).__name__


def save_checkpoint(state: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write a checkpoint dict atomically (``format`` and ``version`` are added)."""
    state = {"format": FORMAT, "version": VERSION, **state}
    return atomic_write(path, lambda tmp: torch.save(state, tmp))


def load_checkpoint(
    path: str | os.PathLike, map_location: str | torch.device = "cpu"
) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint` (``weights_only=True``).

    Raises
    ------
    FileNotFoundError
        No such file.
    IsADirectoryError
        ``path`` is a folder.
    ValueError
        The file is not an rcot-kit checkpoint: empty, not a torch file (text,
        an image, ...), damaged, or a torch file of something else.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"checkpoint {path} is a folder, not a file")
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    with open(path, "rb") as f:
        head = f.read(4)
    if not head:
        raise ValueError(f"{path} is not a readable rcot-kit checkpoint (empty file)")
    if not head.startswith(_TORCH_MAGIC):
        raise ValueError(
            f"{path} is not a readable rcot-kit checkpoint (not a torch file)"
        )
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # unpickling errors of many kinds
        raise ValueError(
            f"{path} is not a readable rcot-kit checkpoint ({_reason(exc)})"
        ) from exc
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(
            f"{path} is not an rcot-kit checkpoint (expected format {FORMAT!r})"
        )
    return state


def check_resumable(state: dict, path: Any = "") -> None:
    """Raise a clear ``ValueError`` unless a checkpoint can continue a training run.

    A weights checkpoint (:func:`export_weights`) holds only the map: there are
    no optimiser states, potential or random-number states to continue from.
    """
    if state.get("kind") == "weights" or any(k not in state for k in RESUME_KEYS):
        raise ValueError(
            f"{path} holds only the map weights (an exported checkpoint, without "
            "optimiser or random-number state), so it cannot be resumed; resume "
            "from the training checkpoint, or start a new run from these weights "
            "with --init"
        )


def config_diff(a: dict, b: dict) -> list[str]:
    """Names of the fields that differ between two config dicts (``a -> b``)."""
    keys = sorted(set(a) | set(b))
    return [f"{k}: {a.get(k)!r} -> {b.get(k)!r}" for k in keys if a.get(k) != b.get(k)]


def _normalised(model_cfg: dict) -> dict:
    """A model config dict with every field (defaults for fields it predates)."""
    from rcot_lib.models.config import ModelConfig

    return ModelConfig.from_dict(dict(model_cfg)).to_dict()


def check_model_config(state: dict, model_cfg: dict, path: Any = "") -> None:
    """Raise a clear ``ValueError`` when a checkpoint was made for another model."""
    diff = config_diff(_normalised(state.get("model", {})), _normalised(model_cfg))
    if diff:
        raise ValueError(
            f"checkpoint {path} was trained with another model configuration; "
            f"differences (checkpoint -> requested): {'; '.join(diff)}"
        )


def load_map(
    path: str | os.PathLike, device: str | torch.device = "cpu"
) -> tuple[torch.nn.Module, dict]:
    """The map ``T`` of a checkpoint, in eval mode, and the checkpoint's config.

    Parameters
    ----------
    path : str or Path
        A training or weights checkpoint.
    device : str or torch.device

    Returns
    -------
    T : torch.nn.Module
    config : dict
        The training configuration stored in the checkpoint (``"model"`` holds
        the model configuration).
    """
    from rcot_lib.models import ModelConfig, build_map

    state = load_checkpoint(path)
    missing = [k for k in ("model", "map") if k not in state]
    if missing:
        raise ValueError(f"checkpoint {path} has no {' or '.join(map(repr, missing))}")
    try:
        model_cfg = ModelConfig.from_dict(state["model"])
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"checkpoint {path}: bad model configuration ({exc})") from exc
    T = build_map(model_cfg)
    try:
        T.load_state_dict(state["map"])
    except RuntimeError as exc:
        raise ValueError(
            f"checkpoint {path}: the map weights do not fit the model built from "
            f"its own configuration ({exc.__class__.__name__}: {str(exc)[:300]})"
        ) from exc
    cfg = dict(state.get("config", {}))
    cfg["model"] = state["model"]
    cfg["step"] = state.get("step")
    return T.to(device).eval(), cfg


def export_weights(
    src: str | os.PathLike, dst: str | os.PathLike, half: bool = False
) -> Path:
    """Keep only the configurations, the step and the map weights of a checkpoint.

    Parameters
    ----------
    src, dst : str or Path
        Training checkpoint in, weights checkpoint out.
    half : bool
        Store the weights as float16 (half the size; loaded back as float32).
    """
    state = load_checkpoint(src)
    if "map" not in state:
        raise ValueError(f"checkpoint {src} has no 'map' weights to export")
    weights = state["map"]
    if half:
        weights = {k: v.half() if v.is_floating_point() else v
                   for k, v in weights.items()}
    keep = {k: state[k] for k in ("config", "model", "step") if k in state}
    return save_checkpoint({**keep, "map": weights, "kind": "weights"}, dst)
