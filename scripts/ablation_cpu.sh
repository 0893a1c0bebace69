#!/usr/bin/env bash
# The conditioning ablation of notebook 04 (DA-RCOT Table VI) at a CPU budget
# that separates the variants: no condition (one pass of the backbone), RCOT's
# single embedding e3, DA-RCOT's multi-scale embeddings (e1, e2, e3). Each is
# trained from scratch by `rcot train` on the five all-in-one tasks for the same
# wall time (MINUTES, the budget a CPU user has; the one-pass map gets more
# steps), with the same seed and data, then scored on CBSD68 sigma 25, Rain100L
# (RGB, its Y channel beside it) and SOTS-outdoor by scripts/eval_benchmarks.sh.
#
# Usage: RCOT_DATA=/path bash scripts/ablation_cpu.sh OUT [MINUTES]   (default 25)
# With one OUT per seed (RUNS/seed0, RUNS/seed1, ...) of STEPS runs,
# scripts/ablation_results.py RUNS puts them into
# data_samples/results/ablation_steps<STEPS>.json where they reproduce its runs.
# VARIANTS="single multiscale" runs a subset (default: all three).
# STEPS=1500 gives every variant the same number of steps instead (the cosine
# schedule over the steps, no time limit: the paper's comparison, and one that
# other jobs on the machine do not change); SEED=k seeds the networks and the
# data (default 0). rcot_lib.ablation.seeds_table compares several seeds' OUTs.
# Prints one Markdown table per variant, then the table of all of them; writes
# OUT/summary.json (rcot_lib.ablation.summarise_runs: steps, times, validation
# curves and benchmark PSNR of the variants found in OUT), the file that
# data_samples/results/ablation_cpu.json holds for notebook 04.
# Run nothing else on the machine meanwhile: the budget is wall time, so a
# second job stealing cores costs the running variant steps.
set -euo pipefail
OUT=${1:?output folder}
MINUTES=${2:-25}
THREADS=${THREADS:-2}
RCOT=${RCOT:-.venv/bin/rcot}
: "${RCOT_DATA:?set RCOT_DATA}"
mkdir -p "$OUT"
VARIANTS=${VARIANTS:-none single multiscale}
if [ -n "${STEPS:-}" ]; then budget=(--steps "$STEPS"); else
  budget=(--steps 100000 --minutes "$MINUTES"); fi
for c in $VARIANTS; do
  echo "train $c start $(date -u +%FT%TZ)" >&2
  $RCOT train --config cpu-small --data "$RCOT_DATA" "${budget[@]}" \
      --threads "$THREADS" --set "model.condition=$c" --set "seed=${SEED:-0}" \
      --out "$OUT/$c" --json --no-progress > "$OUT/$c.train.json"
done
for c in $VARIANTS; do
  THREADS=$THREADS bash scripts/eval_benchmarks.sh "$OUT/$c/last.pt" "$OUT/$c/eval" \
      cbsd68_25 rain100l_rgb sots  # Rain100L on RGB, its Y channel recorded beside it
done
.venv/bin/python - "$OUT" <<'PY'
import sys
from pathlib import Path

from rcot_lib.ablation import runs_table, summarise_runs, with_y_entry
from rcot_lib.files import save_json

out = Path(sys.argv[1])
runs = {c: with_y_entry(run) for c, run in summarise_runs(out).items()}  # Y beside RGB
save_json(runs, out / "summary.json")
print(runs_table(runs))
PY
