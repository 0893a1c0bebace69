"""Gather the Table IX runs (the Fourier term's p) into data_samples/results/.

Usage: .venv/bin/python scripts/table9_results.py RUNS [--steps 3000] [--seed 0]
RUNS is the OUT of `SEED=SEED scripts/table9_cpu.sh` (RUNS/<objective>/<setting>/
<variant>/). Writes seed SEED's entry of data_samples/results/table9_steps<STEPS>.json
(per objective and setting, rcot_lib.fourier_ablation.summarise; only runs that
finished their steps and were scored; a run already in that file and not under RUNS
is kept, and so are the other seeds, so runs of several sessions add up) and, for
the file's first seed, the restorations of notebook 06's examples,
data_samples/results/table9_examples/<objective>_<setting>_<task>.png.
The unpaired p-task run is DA-RCOT* of the unpaired comparison: when RUNS does not
hold it, it is taken from data_samples/results/unpaired_steps<STEPS>.json (the same
seed) with its example restorations. Prints the table over every seed in the file
(rcot_lib.fourier_ablation.settings_table).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from rcot_lib import fourier_ablation as fa
from rcot_lib import unpaired
from rcot_lib.checkpoint import load_map
from rcot_lib.environment import RESULTS_DIR
from rcot_lib.unpaired_summary import load_seeds, save_seeds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", type=Path)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--results",
        type=Path,
        default=RESULTS_DIR,
        help="the results folder (default: data_samples/results)",
    )
    args = p.parse_args(argv)
    if not args.runs.is_dir():
        raise SystemExit(f"{args.runs}: no such folder (the OUT of table9_cpu.sh)")
    path = args.results / f"table9_steps{args.steps}.json"
    examples = args.results / fa.EXAMPLE_DIR.name
    seeds = load_seeds(path)
    seed = str(args.seed)
    results = seeds.get(seed, {})
    first = min([seed, *seeds], key=int)  # its maps give the example restorations
    with_examples = seed == first
    found = {
        o: {
            s: r
            for s, r in runs.items()
            if r["steps"] >= args.steps and r["benchmarks"]
        }
        for o, runs in fa.summarise(args.runs).items()
    }
    for objective, runs in found.items():
        results[objective] = {**results.get(objective, {}), **runs}
        if not with_examples:
            continue
        variant = fa.OBJECTIVES[objective]
        for setting in runs:
            T, _ = load_map(args.runs / objective / setting / variant / "last.pt")
            fa.write_examples(T, objective, setting, examples)
    shared = args.results / f"unpaired_steps{args.steps}.json"
    if "p-task" not in results.get("unpaired", {}):
        run = load_seeds(shared).get(seed, {}).get("da-rcot")
        if run:
            results.setdefault("unpaired", {})["p-task"] = {**run, "from": shared.name}
            if with_examples:
                examples.mkdir(parents=True, exist_ok=True)
                for task in unpaired.EXAMPLE_TASKS:
                    source = args.results / unpaired.EXAMPLE_DIR.name
                    shutil.copyfile(source / f"da-rcot_{task}.png",
                                    examples / f"unpaired_p-task_{task}.png")
    if not any(results.values()):
        raise SystemExit(
            f"no finished, scored run under {args.runs}/<objective>/<setting>/"
        )
    seeds[seed] = {
        o: {s: results[o][s] for s in fa.SETTINGS if s in results[o]}
        for o in fa.OBJECTIVES
        if results.get(o)
    }
    out = save_seeds(
        path, seeds,
        {"unpaired": "cpu-unpaired --variant da-rcot", "paired": "cpu-small"},
        args.steps, examples_seed=first,
    )
    print(fa.settings_table(out["seeds"]))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
