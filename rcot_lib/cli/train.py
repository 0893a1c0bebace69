"""``rcot train --config NAME``: train a restoration map with (pair-informed) FROT."""

from __future__ import annotations

import argparse
import json
import typing
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    from rcot_lib.presets import PRESETS
    from rcot_lib.unpaired import UNPAIRED_VARIANTS

    p = sub.add_parser(
        "train",
        help="train a DA-RCOT map from a named configuration",
        description="Train the map T and the potential phi (Algorithm 1) on clean "
        "images with on-the-fly degradations and real pairs. Writes last.pt "
        "(periodically, atomically) and history.json to --out. Also runs under "
        "torchrun (DistributedDataParallel).",
    )
    p.add_argument("--config", default="cpu-small", choices=sorted(PRESETS),
                   help="named configuration (default: cpu-small)")
    p.add_argument("--variant", default=None, choices=sorted(UNPAIRED_VARIANTS),
                   help="one of the paper's unpaired rows, applied to --config "
                   "before --set (wgan-gp, otur, sot, rcot, da-rcot)")
    p.add_argument("--data", type=Path, default=None,
                   help="data root, its train/ folder, or a folder of clean images "
                   "(default: $RCOT_DATA)")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: runs/<config>)")
    p.add_argument("--steps", type=int, default=None, help="total steps")
    p.add_argument("--minutes", type=float, default=None,
                   help="stop after this wall time (the cosine schedule follows it)")
    p.add_argument("--tasks", default=None,
                   help="comma-separated degradations, e.g. denoise_15,denoise_25")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--resume", action="store_true", help="continue from --out/last.pt")
    p.add_argument("--init", type=Path, default=None,
                   help="start from the weights of this checkpoint (same model)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=JSON",
                   help="override a TrainConfig field, e.g. --set Sigma=100 "
                   "--set model.dim=16 (repeatable)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, mps")
    p.add_argument("--threads", type=int, default=None, help="CPU threads for torch")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true",
                   help="print the final record as JSON on stdout")
    p.set_defaults(func=run)


def _field_types() -> tuple[dict, dict]:
    """The annotated types of the TrainConfig and the ModelConfig fields."""
    from rcot_lib.models.config import ModelConfig
    from rcot_lib.train_config import TrainConfig

    return typing.get_type_hints(TrainConfig), typing.get_type_hints(ModelConfig)


def _number(v: typing.Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


#: Scalar field types: what a JSON value must be, and how the error names it.
_SCALARS = {
    bool: (lambda v: isinstance(v, bool), "true or false"),
    int: (lambda v: _number(v) and isinstance(v, int), "an integer"),
    float: (_number, "a number"),
    str: (lambda v: isinstance(v, str), "a string"),
    dict: (lambda v: isinstance(v, dict), "a JSON object"),
}


def _typed(field: str, value: typing.Any, hint: typing.Any) -> typing.Any:
    """``value`` as the type ``hint`` of ``field`` wants (JSON lists become tuples).

    Raises
    ------
    ValueError
        Naming the field and the type it expects.
    """
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        if value in args:
            return value
        expected = "one of " + ", ".join(map(repr, args))
    elif origin is tuple:
        if isinstance(value, (list, tuple)):
            elem = args[0] if args else typing.Any
            return tuple(_typed(f"{field}[{i}]", v, elem) for i, v in enumerate(value))
        expected = "a JSON list, e.g. [1, 2] or [\"a\", \"b\"]"
    elif hint in _SCALARS:
        accepts, expected = _SCALARS[hint]
        if hint is int and isinstance(value, float) and value.is_integer():
            value = int(value)  # 1e3
        if accepts(value):
            return hint(value)
    else:
        return value
    raise ValueError(f"--set {field}: expected {expected}, got {json.dumps(value)}")


def _overrides(items: list[str]) -> dict:
    """The ``--set FIELD=JSON`` changes, each checked against its field's type."""
    train_types, model_types = _field_types()
    changes: dict = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ValueError(f"--set expects FIELD=VALUE, got {item!r}")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        model = key.startswith("model.")
        name = key[6:] if model else key
        hint = (model_types if model else train_types).get(name)
        if hint is str and not isinstance(value, str):
            value = raw  # --set name=123: a name, not a number
        if hint is not None:  # unknown fields are reported with the valid ones
            value = _typed(key, value, hint)
        if model:
            changes.setdefault("model", {})[name] = value
        else:
            changes[key] = value
    return changes


def run(args: argparse.Namespace) -> int:
    from rcot_lib.device import set_threads
    from rcot_lib.presets import get_preset
    from rcot_lib.train import train
    from rcot_lib.train_config import TrainConfig
    from rcot_lib.unpaired import unpaired_variant

    set_threads(args.threads)
    changes = _overrides(args.set)
    if "model" in changes:
        from rcot_lib.models.config import ModelConfig

        bad = set(changes["model"]) - set(ModelConfig.__dataclass_fields__)
        if bad:
            raise ValueError(f"unknown model fields {sorted(bad)}")
        for k, v in changes["model"].items():
            if isinstance(v, list):
                changes["model"][k] = tuple(v)
    bad = set(changes) - set(TrainConfig.__dataclass_fields__)
    if bad:
        raise ValueError(
            f"unknown TrainConfig fields {sorted(bad)}; valid: "
            f"{', '.join(TrainConfig.__dataclass_fields__)}"
        )
    for k, v in list(changes.items()):
        if isinstance(v, list):
            changes[k] = tuple(v)
    if args.steps is not None:
        changes["steps"] = args.steps
    if args.minutes is not None:
        changes["max_minutes"] = args.minutes
    if args.batch_size is not None:
        changes["batch_size"] = args.batch_size
    if args.tasks:
        changes["tasks"] = tuple(t.strip() for t in args.tasks.split(",") if t.strip())
    cfg = get_preset(args.config)
    if args.variant:
        cfg = unpaired_variant(args.variant, cfg)
    cfg = cfg.replace(**changes)
    out = args.out or Path("runs") / cfg.name
    result = train(cfg, out, resume=args.resume, init=args.init, device=args.device,
                   data=args.data, progress=not args.no_progress)
    last = result.records[-1] if result.records else {}
    summary = {**last, "checkpoint": str(result.checkpoint),
               "step": result.history["step"], "wall_s": result.history["wall_s"]}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"trained {cfg.name} to step {summary['step']} in {summary['wall_s']} s; "
              f"checkpoint {summary['checkpoint']}")
    return 0
