"""``rcot sparsity``: sparsity of degradation residuals, pixel and Fourier domain.

Either a paired folder (``--pairs DIR`` or ``--benchmark derain/Rain100L``) or a
folder of clean images degraded synthetically (``--clean DIR --degradation NAME``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sparsity",
        help="Hoyer/Gini sparsity of residuals (degraded - clean), Fourier and pixel",
        description="Score the residuals r = degraded - clean of a paired folder, or "
        "of synthetic degradations of clean images: Hoyer, Gini and the top-1%/5% "
        "energy share of |F r| and of |r|.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--pairs", type=Path, help="a paired folder (e.g. rainy/ + gt/)")
    src.add_argument(
        "--benchmark",
        help="a folder under $RCOT_DATA/benchmarks, e.g. derain/Rain100L or "
        "denoise/CBSD68 (clean-only sets need --degradation)",
    )
    src.add_argument("--clean", type=Path, help="a folder of clean images")
    p.add_argument(
        "--degradation",
        help="synthetic task for clean images: denoise_15, denoise_25, denoise_50, "
        "derain, dehaze, deblur or lowlight",
    )
    p.add_argument("--heavy", action="store_true", help="heavy rain (with derain)")
    p.add_argument("--seed", type=int, default=0, help="base seed (image i: seed + i)")
    p.add_argument("--limit", type=int, default=None, help="first N images only")
    p.add_argument("--max-side", type=int, default=None, help="downscale to this side")
    p.add_argument("--crop", type=int, default=None, help="central crop of this side")
    p.add_argument(
        "--channel", default="mean", help="'mean' (of channel scores), 'luma' or 0/1/2"
    )
    p.add_argument(
        "--mode", default="auto", choices=["auto", "RGB", "L"],
        help="colour mode: auto keeps grayscale files grayscale",
    )
    p.add_argument(
        "--threads", type=int, default=1,
        help="torch CPU threads (default 1: per-image FFTs are small)",
    )
    p.add_argument("--json", action="store_true", help="print JSON only (stdout)")
    p.set_defaults(func=run)


def _dataset(args: argparse.Namespace):
    from rcot_lib.environment import benchmark_dir
    from rcot_lib.eval_data import PairedFolder, SyntheticPairs
    from rcot_lib.paired_files import pair_dirs

    mode = None if args.mode == "auto" else args.mode
    folder = args.pairs or args.clean
    if args.benchmark:
        folder = benchmark_dir(*Path(args.benchmark).parts)
        if folder is None:
            raise FileNotFoundError(
                f"benchmark {args.benchmark!r} not found under $RCOT_DATA/benchmarks "
                "(set RCOT_DATA or use --pairs/--clean)"
            )
    if args.degradation is None:
        if args.clean is not None:
            raise ValueError("--clean needs --degradation NAME")
        pair_dirs(folder)  # a clear error when the folder is not paired
        data = PairedFolder(folder, mode, args.max_side, args.limit, crop=args.crop)
        return data, folder
    params = {"heavy": True} if args.heavy else {}
    if args.heavy and args.degradation != "derain":
        raise ValueError("--heavy applies to --degradation derain only")
    data = SyntheticPairs(
        folder, args.degradation, args.seed, mode, args.max_side, args.limit,
        crop=args.crop, **params,
    )
    return data, folder


def run(args: argparse.Namespace) -> int:
    from rcot_lib.device import set_threads
    from rcot_lib.spectra import mean_scores, score_pairs

    set_threads(args.threads)
    channel = int(args.channel) if args.channel.isdigit() else args.channel
    data, folder = _dataset(args)
    rows = score_pairs(data, channel=channel, desc=f"sparsity {Path(folder).name}")
    result = {
        "source": str(folder),
        "degradation": args.degradation or "paired",
        "heavy": bool(args.heavy),
        "seed": args.seed,
        "channel": args.channel,
        "count": len(rows),
        "mean": mean_scores(rows),
        "images": rows,
    }
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    print(f"{folder}  ({result['degradation']}, {len(rows)} images)")
    for key, value in result["mean"].items():
        print(f"  {key:15s} {value:.4f}")
    return 0
