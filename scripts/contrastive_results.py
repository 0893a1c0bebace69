"""Gather ``scripts/contrastive_cpu.sh``'s two runs into one results file.

Usage: python scripts/contrastive_results.py OUT [--steps 1500]

Writes ``data_samples/results/contrastive_steps<STEPS>.json``: per variant (``con``:
the preset's contrastive weight; ``nocon``: ``con_weight=0``) the steps, times and
benchmark PSNR of :func:`rcot_lib.ablation.summarise_runs`, the contrastive weight
the run trained with, and the ``rcot tsne --json`` scores of its embeddings.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rcot_lib.ablation import summarise_runs
from rcot_lib.environment import RESULTS_DIR, machine
from rcot_lib.files import save_json

VARIANTS = ("con", "nocon")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", type=Path, help="the folder given to contrastive_cpu.sh")
    ap.add_argument("--steps", type=int, default=1500)
    args = ap.parse_args()
    folder = {v: args.runs / v / "paired" for v in VARIANTS}  # contrastive_cpu.sh's
    runs = {}
    for v in VARIANTS:
        if (folder[v] / "history.json").is_file():
            runs[v] = summarise_runs(folder[v].parent, ("paired",))["paired"]
    missing = [v for v in VARIANTS
               if v not in runs or runs[v]["steps"] < args.steps
               or not (folder[v] / "tsne.json").is_file()]
    if missing:
        raise SystemExit(f"unfinished ({args.steps} steps and tsne.json): {missing}")
    for v, run in runs.items():
        history = json.loads((folder[v] / "history.json").read_text())
        run["con_weight"] = history["config"]["con_weight"]
        run["tsne"] = json.loads((folder[v] / "tsne.json").read_text())
        del run["curve"]
    out = {"config": "cpu-small", "steps": args.steps, "threads": 1,
           "tsne_command": "rcot tsne --checkpoint RUN/last.pt --per-task 100 --json",
           "machine": machine(), "runs": runs}
    path = Path(RESULTS_DIR) / f"contrastive_steps{args.steps}.json"
    save_json(out, path)
    print(path)


if __name__ == "__main__":
    main()
