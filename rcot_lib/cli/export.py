"""``rcot export SRC DST``: keep only the map weights of a training checkpoint."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write the weights checkpoint (map + configs) of a training checkpoint",
        description="Read the training checkpoint SRC (map, potential, optimisers, "
        "RNG state) and write DST with only the configurations, the step and the "
        "map weights: what `rcot restore`, `rcot eval` and `--init` need. DST is "
        "written atomically, so a failed export never damages an existing file.",
    )
    p.add_argument("src", type=Path, metavar="SRC")
    p.add_argument("dst", type=Path, metavar="DST")
    p.add_argument("--half", action="store_true",
                   help="store the weights as float16 (half the size)")
    p.add_argument("--json", action="store_true",
                   help="print {src, dst, step, bytes} as one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rcot_lib.checkpoint import export_weights, load_checkpoint

    if args.src.resolve() == args.dst.resolve():
        raise ValueError(f"export would overwrite its own source: {args.src}")
    dst = export_weights(args.src, args.dst, half=args.half)
    step = load_checkpoint(dst).get("step")
    info = {"src": str(args.src), "dst": str(dst), "step": step,
            "bytes": dst.stat().st_size}
    if args.json:
        print(json.dumps(info))
    else:
        print(f"{args.src} -> {dst} (step {step}, {info['bytes'] / 1e6:.1f} MB)")
    return 0
