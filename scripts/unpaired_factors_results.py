"""Gather the one-factor runs of DA-RCOT* into data_samples/results/.

Usage: .venv/bin/python scripts/unpaired_factors_results.py RUNS [--steps N] [--seed K]
RUNS is the OUT of `SEED=SEED scripts/unpaired_factors_cpu.sh` (RUNS/<factor>/da-rcot/).
Writes seed SEED's entry of data_samples/results/unpaired_factors_steps<STEPS>.json:
per factor rcot_lib.unpaired_factors.summarise (only runs that finished their steps
and were scored), and the row `preset`, DA-RCOT* unchanged, taken from
data_samples/results/unpaired_steps<STEPS>.json (the same seed). A run already in
the file and not under RUNS is kept, and so are the other seeds, so runs of several
sessions add up. Prints the table over every seed in the file
(rcot_lib.unpaired_factors.factors_table: gains over `preset`, paired by seed).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rcot_lib import unpaired_factors as uf
from rcot_lib.environment import RESULTS_DIR
from rcot_lib.unpaired_summary import load_seeds, save_seeds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", type=Path)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--results", type=Path, default=RESULTS_DIR,
                   help="the results folder (default: data_samples/results)")
    args = p.parse_args(argv)
    if not args.runs.is_dir():
        raise SystemExit(
            f"{args.runs}: no such folder (the OUT of unpaired_factors_cpu.sh)"
        )
    path = args.results / f"unpaired_factors_steps{args.steps}.json"
    seeds = load_seeds(path)
    seed = str(args.seed)
    found = {f: r for f, r in uf.summarise(args.runs).items()
             if r["steps"] >= args.steps and r["benchmarks"]}
    if not found:
        raise SystemExit(f"no finished, scored run under {args.runs}/<factor>/da-rcot/")
    results = {**seeds.get(seed, {}), **found}
    shared = args.results / f"unpaired_steps{args.steps}.json"
    preset = load_seeds(shared).get(seed, {}).get(uf.VARIANT)
    if preset is None:
        raise SystemExit(f"{shared.name} holds no DA-RCOT* of seed {seed}: the row "
                         "every factor is compared with (scripts/unpaired_cpu.sh)")
    results["preset"] = {**preset, "from": shared.name}
    seeds[seed] = {r: results[r] for r in uf.LABELS if r in results}
    out = save_seeds(path, seeds, "cpu-unpaired --variant da-rcot", args.steps,
                     factors={f: list(flags) for f, flags in uf.FACTORS.items()})
    print(uf.factors_table(out["seeds"]))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
