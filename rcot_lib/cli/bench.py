r"""``rcot bench {train-step, inference}``: time the map and a training iteration.

Examples::

    rcot bench train-step --backbone restormer --dim 24 --blocks 2,2,2,2 \
        --refine 1 --patch 64 --batch 8 --threads 2 --json
    rcot bench inference --backbone nafnet --size 481x321 --threads 2 --json
    rcot bench train-step --preset gpu-medium --device cuda --json  # bf16, NHWC
    rcot bench train-step --preset gpu-medium --device cuda --compile --warmup 3 --json

With ``--preset NAME`` the model, patch, batch and (on CUDA) the ``amp`` and
``channels_last`` settings are the preset's; any flag given changes them. The
iteration itself stays the benchmark's (RMSprop, a gradient penalty every step);
``rcot train --config NAME --minutes M`` times the preset's own loop.
"""

from __future__ import annotations

import argparse
import json


def _ints(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {text!r}"
        ) from exc


def _size(text: str) -> tuple[int, int]:
    """``WxH`` (e.g. ``481x321``) to ``(H, W)``."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT such as 481x321, got {text!r}"
        ) from exc
    return h, w


def _model_args(p: argparse.ArgumentParser) -> None:
    from rcot_lib.presets import PRESETS

    p.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default=None,
        help="start from a training preset's model, crops and GPU options",
    )
    g = p.add_argument_group("model (defaults: the preset's, else ModelConfig's)")
    g.add_argument("--backbone", choices=["nafnet", "restormer"], default=None)
    g.add_argument("--condition", choices=["multiscale", "single", "none"])
    g.add_argument("--dim", type=int, default=None)
    g.add_argument("--blocks", type=_ints, default=None, help="e.g. 2,2,2,2")
    g.add_argument("--dec-blocks", type=_ints, default=None, help="e.g. 1,1,1")
    g.add_argument("--heads", type=_ints, default=None, help="e.g. 1,2,4,8")
    g.add_argument("--ffn-expansion", type=float, default=None)
    g.add_argument("--refine", type=int, default=None)
    g.add_argument("--regm-dim", type=int, default=None, help="0 means --dim")
    g.add_argument("--regm-blocks", type=int, default=None)
    g.add_argument("--fusion-blocks", type=int, default=None)
    g.add_argument("--in-channels", type=int, default=None)
    g.add_argument("--potential-width", type=int, default=None)
    g.add_argument("--potential-depth", type=int, default=None)
    r = p.add_argument_group("where and how to run")
    r.add_argument("--device", default="cpu", help="cpu, cuda, cuda:1 or auto")
    r.add_argument(
        "--amp",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="bf16 autocast (default: the preset's on CUDA, else off)",
    )
    r.add_argument(
        "--channels-last",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="channels-last memory (default: the preset's on CUDA, else off)",
    )
    r.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the map (the first warm-up iteration compiles)",
    )
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--iters", type=int, default=5, help="timed iterations")
    p.add_argument("--warmup", type=int, default=1, help="untimed iterations first")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print one JSON object")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        help="time a training iteration or inference of the map",
        description="Benchmark the DA-RCOT map on the CPU or a GPU.",
    )
    bsub = p.add_subparsers(dest="bench_command", metavar="WHAT", required=True)
    t = bsub.add_parser(
        "train-step",
        help="full FROT iterations: potential, gradient penalty, map step",
        description="Median seconds per training iteration, peak memory, FLOPs.",
    )
    _model_args(t)
    t.add_argument("--patch", type=int, default=None, help="default: preset's, or 64")
    t.add_argument("--batch", type=int, default=None, help="default: preset's, or 8")
    t.add_argument("--no-flops", action="store_true", help="skip the FLOP count")
    t.set_defaults(func=run_train_step)
    i = bsub.add_parser(
        "inference",
        help="seconds for T(x) on one image",
        description="Median seconds of T(x) under torch.inference_mode.",
    )
    _model_args(i)
    i.add_argument("--size", type=_size, default=(321, 481), help="WxH, e.g. 481x321")
    i.set_defaults(func=run_inference, iters=3)


def model_config(args: argparse.Namespace):
    """The :class:`ModelConfig` that the flags describe (unset flags keep defaults)."""
    from dataclasses import replace

    from rcot_lib.models import ModelConfig
    from rcot_lib.presets import get_preset

    names = [
        "backbone",
        "condition",
        "dim",
        "blocks",
        "dec_blocks",
        "heads",
        "ffn_expansion",
        "refine",
        "regm_dim",
        "regm_blocks",
        "fusion_blocks",
        "in_channels",
        "potential_width",
        "potential_depth",
    ]
    kw = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    if args.preset:
        return replace(get_preset(args.preset).model, **kw)
    return ModelConfig(**kw)


def run_options(args: argparse.Namespace) -> dict:
    """``device``, ``amp``, ``compile``, ``channels_last`` of the flags and preset.

    An unset ``--amp`` or ``--channels-last`` takes the preset's value (as the
    trainer does, on any device) and is off without a preset.
    """
    from rcot_lib.device import get_device
    from rcot_lib.presets import get_preset

    dev = get_device(args.device)
    preset = get_preset(args.preset) if args.preset else None
    amp = args.amp if args.amp is not None else preset is not None and preset.amp
    cl = args.channels_last
    cl = cl if cl is not None else preset is not None and preset.channels_last
    return {"device": dev, "amp": amp, "compile": args.compile, "channels_last": cl}


def _report(args: argparse.Namespace, result: dict, cfg) -> int:
    if args.json:
        print(json.dumps(result))
        return 0
    for k, v in result.items():
        print(f"{k:>17}: {v}")
    print(f"{'config':>17}: {cfg.to_dict()}")
    return 0


def run_train_step(args: argparse.Namespace) -> int:
    from rcot_lib.bench import bench_train_step
    from rcot_lib.device import set_threads
    from rcot_lib.presets import get_preset

    set_threads(args.threads)
    cfg = model_config(args)
    preset = get_preset(args.preset) if args.preset else None
    patch = args.patch or (preset.patch if preset else 64)
    batch = args.batch or (preset.batch_size if preset else 8)
    result = bench_train_step(
        cfg,
        patch,
        batch,
        args.iters,
        args.warmup,
        flops=not args.no_flops,
        seed=args.seed,
        **run_options(args),
    )
    result.update(patch=patch, batch=batch)
    return _report(args, result, cfg)


def run_inference(args: argparse.Namespace) -> int:
    from rcot_lib.bench import bench_inference
    from rcot_lib.device import set_threads

    set_threads(args.threads)
    cfg = model_config(args)
    result = bench_inference(
        cfg, args.size, args.iters, args.warmup, args.seed, **run_options(args)
    )
    return _report(args, result, cfg)
