"""PSNR of the first pass x0 = G(x) beside the input and T(x), per benchmark.

Usage: RCOT_DATA=/path .venv/bin/python scripts/first_pass.py OUT.json CKPT [CKPT ...]
       [--limit N]  (first N images of each set; default all)
Sets: CBSD68 sigma 15/25/50 (seeded noise), Rain100L and SOTS-outdoor, all RGB.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rcot_lib.checkpoint import load_map
from rcot_lib.environment import benchmark_dir
from rcot_lib.files import save_json
from rcot_lib.first_pass import first_pass_scores
from rcot_lib.scoring import pair_items, synthetic_items

SETS = {
    "cbsd68_15": (("denoise", "CBSD68"), "denoise_15"),
    "cbsd68_25": (("denoise", "CBSD68"), "denoise_25"),
    "cbsd68_50": (("denoise", "CBSD68"), "denoise_50"),
    "rain100l_rgb": (("derain", "Rain100L"), None),
    "sots": (("dehaze", "SOTS-outdoor"), None),
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("checkpoints", type=Path, nargs="+")
    p.add_argument("--limit", type=int, default=None)
    args = p.parse_args(argv)
    result = {"limit": args.limit, "metric": "RGB", "checkpoints": {}}
    for ckpt in args.checkpoints:
        T, _ = load_map(ckpt)
        per_set = {}
        for name, (parts, task) in SETS.items():
            folder = benchmark_dir(*parts)
            if folder is None:
                print(f"{name}: not found under RCOT_DATA; skipped", file=sys.stderr)
                continue
            items = (synthetic_items(folder, task, args.limit) if task
                     else pair_items(folder, args.limit))
            scores = first_pass_scores(T, items)
            scores.pop("images")
            per_set[name] = scores
            print(f"{ckpt.name} {name}: {scores}", file=sys.stderr)
        result["checkpoints"][ckpt.name] = per_set
    save_json(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
