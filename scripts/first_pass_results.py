"""Gather the two runs of ``scripts/first_pass_cpu.sh`` (with and without a loss on x0).

Usage: python scripts/first_pass_results.py WITH WITHOUT [--steps 3000]

WITH is the OUT of ``W=1 bash scripts/first_pass_cpu.sh OUT``, WITHOUT that of
``W=0`` (the same seed's paired multi-scale map; the pair-informed p-by-degradation
run of ``scripts/table9_cpu.sh`` is that map, trained identically). Writes
``data_samples/results/first_pass_weight_steps<STEPS>.json``: per run the weight of
the pair term on x0 it trained with, its steps and times, its benchmark PSNR/SSIM
(RGB, Rain100L on Y beside it; :func:`rcot_lib.ablation.summarise_runs`), the PSNR
of x0 = G(x) beside x and T(x) on every set (``scripts/first_pass.py``) and the
``rcot tsne --json`` scores of its embeddings (Fig. 4). Prints the comparison
(:func:`rcot_lib.first_pass.weight_table`, beside the same seed's map without a
condition, and :func:`rcot_lib.first_pass.separation_table`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rcot_lib.ablation import summarise_runs
from rcot_lib.embeddings import KINDS
from rcot_lib.environment import RESULTS_DIR, machine
from rcot_lib.files import save_json
from rcot_lib.first_pass import separation_table, weight_table


def gather(folder: Path, steps: int) -> dict:
    """One run's summary, x0 scores and t-SNE scores; exits if it is unfinished."""
    needed = [folder / "history.json", folder / "first_pass.json", folder / "tsne.json"]
    missing = [p.name for p in needed if not p.is_file()]
    if missing:
        raise SystemExit(f"{folder}: unfinished run (missing {', '.join(missing)})")
    run = summarise_runs(folder.parent, (folder.name,))[folder.name]
    if run["steps"] < steps:
        raise SystemExit(f"{folder}: {run['steps']} steps, expected {steps}")
    history = json.loads((folder / "history.json").read_text())
    run["first_pass_weight"] = history["config"].get("first_pass_weight", 0.0)
    run["seed"] = history["config"]["seed"]
    first = json.loads((folder / "first_pass.json").read_text())["checkpoints"]
    (run["first_pass"],) = first.values()
    tsne = json.loads((folder / "tsne.json").read_text())
    run["tsne"] = {k: tsne[k] for k in KINDS if k in tsne}
    del run["curve"]
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("with_run", type=Path, help="OUT of W=1 first_pass_cpu.sh")
    ap.add_argument("without_run", type=Path,
                    help="OUT of W=0 (the same map without the x0 term)")
    ap.add_argument("--steps", type=int, default=3000)
    args = ap.parse_args()
    runs = {"x0_loss": gather(args.with_run, args.steps),
            "no_x0_loss": gather(args.without_run, args.steps)}
    seeds = {run["seed"] for run in runs.values()}
    if len(seeds) != 1:
        raise SystemExit(f"the two runs have different seeds: {sorted(seeds)}")
    out = {"config": "cpu-small", "condition": "multiscale", "steps": args.steps,
           "seed": seeds.pop(), "threads": 1, "metric": "RGB (Rain100L on Y beside it)",
           "commands": ["W=1 bash scripts/first_pass_cpu.sh RUNS/first_pass",
                        "W=0 bash scripts/first_pass_cpu.sh RUNS/first_pass_w0",
                        "python scripts/first_pass_results.py RUNS/first_pass "
                        "RUNS/first_pass_w0"],
           "machine": machine(), "runs": runs}
    path = Path(RESULTS_DIR) / f"first_pass_weight_steps{args.steps}.json"
    save_json(out, path)
    ablation = Path(RESULTS_DIR) / "ablation_steps3000.json"
    one_pass = None  # the same seed's map without a condition, of equal length
    if args.steps == 3000 and ablation.is_file():
        none = json.loads(ablation.read_text()).get(str(out["seed"]), {}).get("none")
        one_pass = none["benchmarks"] if none else None
    print(weight_table(out, one_pass))
    print(separation_table(out))
    print(path)


if __name__ == "__main__":
    main()
