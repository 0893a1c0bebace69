"""Gather the unpaired comparison into data_samples/results/ for notebook 06.

Usage: .venv/bin/python scripts/unpaired_results.py RUNS [--steps 3000] [--baseline V]
RUNS holds one folder per seed (seed0/, seed1/, ...) as scripts/unpaired_cpu.sh
writes them. Writes data_samples/results/unpaired_steps<STEPS>.json (per seed,
rcot_lib.unpaired.summarise; only variants that finished their steps; a variant
of a seed already in that file and not under RUNS is kept, so runs of several
sessions add up) and, for the 3,000-step comparison when RUNS holds the file's
first seed, the example restorations
data_samples/results/unpaired_examples/<variant>_<task>.png of that seed;
prints the table (PSNR mean +/- std over the seeds that ran each variant, and
the gain over WGAN-GP* of the same seed, or over --baseline:
rcot_lib.unpaired_summary.comparison_table).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rcot_lib.ablation import seed_runs
from rcot_lib.checkpoint import load_map
from rcot_lib.environment import RESULTS_DIR
from rcot_lib.unpaired import EXAMPLE_STEPS, summarise, write_examples
from rcot_lib.unpaired_summary import comparison_table, load_seeds, save_seeds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", type=Path)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--baseline", default="wgan-gp",
                   help="the row each gain is paired with (e.g. paired)")
    args = p.parse_args(argv)
    path = RESULTS_DIR / f"unpaired_steps{args.steps}.json"
    seeds = load_seeds(path)
    found = {}
    for seed, summary in seed_runs(args.runs, summarise):
        runs = {v: r for v, r in summary.items()
                if r["steps"] >= args.steps and r["benchmarks"]}
        if runs:
            found[seed] = runs
    if not found:
        raise SystemExit(f"no finished, scored variant under {args.runs}/seed*/")
    for seed, runs in found.items():
        seeds[seed] = {**seeds.get(seed, {}), **runs}
    seeds = save_seeds(path, seeds, "cpu-unpaired", args.steps)["seeds"]
    first = next(iter(seeds))
    for variant in found.get(first, {}) if args.steps == EXAMPLE_STEPS else ():
        T, _ = load_map(args.runs / f"seed{first}" / variant / "last.pt")
        write_examples(T, variant)
    print(comparison_table(seeds, baseline=args.baseline))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
