"""Summarise the `rcot eval --json` files of a folder (scripts/eval_benchmarks.sh).

    python scripts/benchmark_table.py FOLDER          # a Markdown table
    python scripts/benchmark_table.py FOLDER --json   # the means, one entry per set

The JSON form is what ``data_samples/checkpoints/*.eval.json`` holds: paths under
``$RCOT_DATA`` are written relative to it, and the per-image rows are left out.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from rcot_lib.eval_data import EVAL_SETS
from rcot_lib.tables import markdown_table


def load(folder: str) -> dict[str, dict]:
    """The eval results present in ``folder``, in the order of :data:`EVAL_SETS`."""
    out = {}
    for key in EVAL_SETS:
        path = Path(folder) / f"{key}.json"
        if path.is_file():
            out[key] = json.loads(path.read_text())
    return out


def summary(key: str, r: dict) -> dict:
    """The means of one eval file, with its source relative to ``$RCOT_DATA``."""
    source = str(r.get("clean") or r.get("pairs"))
    root = os.environ.get("RCOT_DATA")
    if root and source.startswith(str(Path(root))):
        source = "$RCOT_DATA" + source[len(str(Path(root))):]
    return {
        "set": EVAL_SETS[key], "source": source, "degradation": r.get("degradation"),
        "seed": r.get("seed"), "metric": r["metric"], "images": r["count"],
        "self_ensemble": bool(r.get("self_ensemble", False)),
        **{k: round(r[k], 4) for k in ("psnr_in", "psnr_out", "ssim_in", "ssim_out",
                                       "psnr_y_in", "psnr_y_out", "ssim_y_in",
                                       "ssim_y_out", "seconds_per_image") if k in r},
    }


def main(folder: str, as_json: bool = False) -> None:
    results = load(folder)
    if as_json:
        print(json.dumps({k: summary(k, r) for k, r in results.items()}, indent=1))
        return
    head = ["set", "images", "metric", "PSNR in", "PSNR out", "SSIM in", "SSIM out",
            "PSNR in / out on Y", "s/image"]
    rows = [[EVAL_SETS[key], r["count"], r["metric"], f"{r['psnr_in']:.2f}",
             f"{r['psnr_out']:.2f}", f"{r['ssim_in']:.4f}", f"{r['ssim_out']:.4f}",
             f"{r['psnr_y_in']:.2f} / {r['psnr_y_out']:.2f}" if "psnr_y_out" in r
             else "-", f"{r['seconds_per_image']:.2f}"] for key, r in results.items()]
    print(markdown_table(head, rows))


if __name__ == "__main__":
    main(sys.argv[1], "--json" in sys.argv[2:])
