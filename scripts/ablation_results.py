"""Gather rescored runs of the conditioning ablation into data_samples/results/.

Usage: .venv/bin/python scripts/ablation_results.py RUNS [--steps 3000] [--check-only]

RUNS holds one folder per seed (seed0/, seed1/, ...), each as
`STEPS=3000 SEED=k THREADS=1 RCOT_DATA=... bash scripts/ablation_cpu.sh RUNS/seedk`
writes it (variants none/, single/, multiscale/; Rain100L scored on RGB with its
Y channel beside it). Each finished, scored run replaces its seed's and variant's
entry of data_samples/results/ablation_steps<STEPS>.json (notebook 04, section 5),
with the sets the stored entry had and Rain100L on RGB.

Older entries hold Rain100L on Y only, under ``rain100l``. A replaced entry keeps
that key, now read from the RGB evaluation's Y channel, beside ``rain100l_rgb``:
tables over seeds use the sets every run has (rcot_lib.ablation.seeds_summary), so
they stay on Y until every run carries RGB.

Training is deterministic for a seed and a thread count, so a run trained again
must give the scores it replaces. For every set scored both times the script
prints the largest difference and refuses to write (exit 1) when one exceeds
--tolerance (0.05 dB) or the steps differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rcot_lib.ablation import seed_runs, with_y_entry
from rcot_lib.environment import RESULTS_DIR
from rcot_lib.files import save_json


def differences(old: dict, new: dict) -> dict[str, float]:
    """``|new - old|`` of PSNR out for each set both runs scored."""
    common = set(old["benchmarks"]) & set(new["benchmarks"])
    return {s: abs(new["benchmarks"][s]["psnr_out"] - old["benchmarks"][s]["psnr_out"])
            for s in sorted(common)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", type=Path)
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--tolerance", type=float, default=0.05)
    p.add_argument("--check-only", action="store_true",
                   help="compare with the stored entries, write nothing")
    args = p.parse_args(argv)
    path = RESULTS_DIR / f"ablation_steps{args.steps}.json"
    if not path.is_file():
        raise SystemExit(f"{path} not found: nothing to gather into")
    seeds = json.loads(path.read_text())
    replaced, bad = 0, []
    for seed, runs in seed_runs(args.runs):
        for variant, run in runs.items():
            if run["steps"] < args.steps or "rain100l_rgb" not in run["benchmarks"]:
                print(f"seed {seed} {variant}: {run['steps']} steps, sets "
                      f"{sorted(run['benchmarks'])}; not finished, skipped")
                continue
            run = with_y_entry(run)
            old = seeds.get(seed, {}).get(variant)
            if old is not None:
                diff = differences(old, run)
                worst = max(diff.values(), default=0.0)
                print(f"seed {seed} {variant}: largest difference from the stored "
                      f"run {worst:.2f} dB over {', '.join(diff)}")
                if worst > args.tolerance or old["steps"] != run["steps"]:
                    bad.append(f"seed {seed} {variant}")
                keep = set(old["benchmarks"]) | {"rain100l_rgb"}  # the stored sets
                run["benchmarks"] = {s: b for s, b in run["benchmarks"].items()
                                     if s in keep}
            seeds.setdefault(seed, {})[variant] = run
            replaced += 1
    if bad:
        print(f"not reproduced: {', '.join(bad)}; nothing written", file=sys.stderr)
        return 1
    if args.check_only or not replaced:
        print(f"{replaced} run(s) checked; nothing written")
        return 0
    save_json({k: seeds[k] for k in sorted(seeds, key=int)}, path)
    print(f"{replaced} run(s) written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
