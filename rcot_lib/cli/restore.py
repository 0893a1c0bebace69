"""``rcot restore IN OUT --checkpoint P``: restore one image (or a folder)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "restore",
        help="restore an image (any size, RGB or grayscale) with a checkpoint",
        description="Restore IN (an image file, or a folder of images) and write "
        "OUT (a file, or a folder). The map pads to its multiple and crops back.",
    )
    p.add_argument("input", type=Path, metavar="IN")
    p.add_argument("output", type=Path, metavar="OUT")
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--tile", type=int, default=None,
                   help="restore in tiles of this size (large images)")
    p.add_argument("--overlap", type=int, default=32)
    p.add_argument("--self-ensemble", action="store_true",
                   help="average over the 8 flips/quarter turns of the input (8x time)")
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=None)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rcot_lib.checkpoint import load_map
    from rcot_lib.data import list_images
    from rcot_lib.device import get_device, set_threads
    from rcot_lib.restore import restore_file

    set_threads(args.threads)
    T, _ = load_map(args.checkpoint, get_device(args.device))
    if args.input.is_dir():
        jobs = [(p, args.output / f"{p.stem}.png") for p in list_images(args.input)]
    else:
        if not args.input.is_file():
            raise FileNotFoundError(f"input image not found: {args.input}")
        jobs = [(args.input, args.output)]
    for src, dst in jobs:
        t0 = time.perf_counter()
        restore_file(T, src, dst, tile=args.tile, overlap=args.overlap,
                     self_ensemble=args.self_ensemble)
        print(f"{src} -> {dst} ({time.perf_counter() - t0:.2f} s)", file=sys.stderr)
    return 0
