#!/usr/bin/env bash
# Fig. 4 without the contrastive term: how much of e3's task separation comes from
# the residual and how much from L_con (Eq. 16), which is trained on the very task
# labels that the t-SNE scores use. Two five-task maps of `cpu-small` (pair-informed,
# multi-scale condition) from scratch, the same seed, data and steps, one with the
# preset's con_weight and one with con_weight=0; then `rcot tsne` (mean pooling,
# 100 real benchmark crops per class) and `rcot eval` on each.
#
# Usage: RCOT_DATA=/path bash scripts/contrastive_cpu.sh OUT
#   STEPS=1500 SEED=0 THREADS=1 PER_TASK=100 SETS="cbsd68_25 rain100l_rgb sots"
#   VARIANTS="con nocon" (run one per copy to use two cores side by side)
# Each map is scripts/unpaired_cpu.sh's "paired" variant (cpu-small, Eq. 9), with
# EXTRA="--set con_weight=0" for nocon, in OUT/<con|nocon>/paired/: resumable as
# that script is; a finished t-SNE is not redone either.
# `python scripts/contrastive_results.py OUT` gathers the two into
# data_samples/results/contrastive_steps<STEPS>.json.
set -euo pipefail
OUT=${1:?output folder}
export STEPS=${STEPS:-1500} SEED=${SEED:-0} THREADS=${THREADS:-1}
export SETS=${SETS-cbsd68_25 rain100l_rgb sots}
RCOT=${RCOT:-.venv/bin/rcot}
VARIANTS=${VARIANTS:-con nocon}
PER_TASK=${PER_TASK:-100}
: "${RCOT_DATA:?set RCOT_DATA}"
here=$(dirname "$0")
for v in $VARIANTS; do
  case $v in
    con) extra="" ;;
    nocon) extra="--set con_weight=0" ;;
    *) echo "unknown variant $v (con, nocon)" >&2; exit 2 ;;
  esac
  echo "[contrastive] $v $(date -u +%FT%TZ)" >&2
  VARIANTS=paired EXTRA=$extra bash "$here/unpaired_cpu.sh" "$OUT/$v"
  run="$OUT/$v/paired"
  if [ ! -f "$run/tsne.json" ]; then
    OMP_NUM_THREADS=$THREADS $RCOT tsne --checkpoint "$run/last.pt" --per-task "$PER_TASK" \
        --seed "$SEED" --out "$run/tsne.png" --json > "$run/tsne.json.tmp"
    mv "$run/tsne.json.tmp" "$run/tsne.json"
  fi
done
