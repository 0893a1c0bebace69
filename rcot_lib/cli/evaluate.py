"""``rcot eval --checkpoint P (--pairs DIR | --clean DIR --degradation NAME)``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="PSNR/SSIM of a checkpoint on a paired folder or a synthetic degradation",
        description="Restore every image of a paired folder (matched by stem), or "
        "of a clean folder degraded by a seeded synthetic degradation, and report "
        "PSNR/SSIM (8-bit, RGB unless --y-channel) of input and output. An image "
        "that cannot be read is skipped, listed at the end, and the exit status "
        "is then 1.",
    )
    p.add_argument("--checkpoint", type=Path, required=True)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--pairs", type=Path, help="paired folder (e.g. rainy/ + gt/)")
    src.add_argument("--clean", type=Path, help="folder of clean images")
    p.add_argument("--degradation", default=None,
                   help="task for --clean, e.g. denoise_25 (see degradations.TASKS)")
    p.add_argument("--limit", type=int, default=None, help="first N images only")
    p.add_argument("--y-channel", action="store_true", help="PSNR/SSIM on BT.601 Y")
    p.add_argument("--crop-border", type=int, default=0)
    p.add_argument("--seed", type=int, default=0, help="seed of the degradation")
    p.add_argument("--tile", type=int, default=None,
                   help="restore in tiles of this size; larger than --overlap")
    p.add_argument("--overlap", type=int, default=32,
                   help="overlap of neighbouring tiles in pixels (default: 32)")
    p.add_argument("--self-ensemble", action="store_true",
                   help="average over the 8 flips/quarter turns of each input "
                   "(8x the time)")
    p.add_argument("--device", default="auto")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--json", action="store_true", help="print JSON on stdout only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rcot_lib.checkpoint import load_map
    from rcot_lib.cli.restore import report_failures
    from rcot_lib.degrade import task_label
    from rcot_lib.device import get_device, set_threads
    from rcot_lib.images import list_images
    from rcot_lib.paired_files import find_pairs
    from rcot_lib.scoring import evaluate, pair_items, synthetic_items
    from rcot_lib.tiles import check_tile

    check_tile(args.tile, args.overlap, prefix="--")
    failed: list[tuple[str, str]] = []
    if args.pairs is not None:
        if args.degradation:
            raise ValueError("--degradation goes with --clean, not with --pairs")
        items = pair_items(args.pairs, args.limit, failed)
        total = len(find_pairs(args.pairs, strict=False)[: args.limit])
        source = {"pairs": str(args.pairs)}
    else:
        if not args.degradation:
            raise ValueError("--clean needs --degradation (e.g. denoise_25)")
        task_label(args.degradation)  # checked before any work
        items = synthetic_items(args.clean, args.degradation, args.limit, args.seed,
                                failed)
        total = len(list_images(args.clean)[: args.limit])
        source = {"clean": str(args.clean), "degradation": args.degradation,
                  "seed": args.seed}
    set_threads(args.threads)
    T, cfg = load_map(args.checkpoint, get_device(args.device))
    try:
        res = evaluate(T, items, y_channel=args.y_channel,
                       crop_border=args.crop_border, tile=args.tile,
                       overlap=args.overlap, progress=not args.no_progress, total=total,
                       self_ensemble=args.self_ensemble, failed=failed)
    finally:
        if failed:
            report_failures("eval", failed, total)
    gray = all(im["channels"] == 1 for im in res["images"])
    metric = "gray" if gray else ("Y (BT.601)" if args.y_channel else "RGB")
    report = {"checkpoint": str(args.checkpoint), **source, "metric": metric,
              "crop_border": args.crop_border, "self_ensemble": args.self_ensemble,
              "count": len(res["images"]), **res,
              "failed": [{"name": n, "error": e} for n, e in failed]}
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{report['count']} images ({report['metric']}): "
              f"PSNR {res['psnr_in']:.2f} -> {res['psnr_out']:.2f} dB, "
              f"SSIM {res['ssim_in']:.4f} -> {res['ssim_out']:.4f}", file=sys.stdout)
    return 1 if failed else 0
