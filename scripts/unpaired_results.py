"""Gather the unpaired comparison into data_samples/results/ for notebook 06.

Usage: .venv/bin/python scripts/unpaired_results.py RUNS [--steps 3000]
RUNS holds one folder per seed (seed0/, seed1/, ...) as scripts/unpaired_cpu.sh
writes them. Writes data_samples/results/unpaired_steps<STEPS>.json (per seed,
rcot_lib.unpaired.summarise; only variants that finished their steps) and the
example restorations data_samples/results/unpaired_examples/<variant>_<task>.png
of the first seed; prints the table (PSNR mean +/- std over seeds, and the gain
over WGAN-GP* of the same seed).
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import torch

from rcot_lib.ablation import seeds_summary, seeds_table
from rcot_lib.checkpoint import load_map
from rcot_lib.environment import RESULTS_DIR
from rcot_lib.files import save_json
from rcot_lib.unpaired import summarise, write_examples


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", type=Path)
    p.add_argument("--steps", type=int, default=3000)
    args = p.parse_args(argv)
    seeds = {}
    for folder in sorted(args.runs.glob("seed*")):
        runs = {v: r for v, r in summarise(folder).items()
                if r["steps"] >= args.steps and r["benchmarks"]}
        if runs:
            seeds[folder.name.removeprefix("seed")] = runs
    if not seeds:
        raise SystemExit(f"no finished, scored variant under {args.runs}/seed*/")
    out = {"config": "cpu-unpaired", "steps": args.steps, "threads": 1,
           "machine": f"{platform.processor() or platform.machine()}, torch "
                      f"{torch.__version__}", "seeds": seeds}
    path = RESULTS_DIR / f"unpaired_steps{args.steps}.json"
    save_json(out, path)
    first = sorted(args.runs.glob("seed*"))[0]
    for variant in seeds[min(seeds)]:
        T, _ = load_map(first / variant / "last.pt")
        write_examples(T, variant)
    common = set.intersection(*(set(r) for r in seeds.values()))
    summary = seeds_summary([{v: r[v] for v in r if v in common}
                             for r in seeds.values()], baseline="wgan-gp")
    print(seeds_table(summary, baseline="wgan-gp"))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
