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
# Resumable as scripts/unpaired_cpu.sh: a run short of STEPS resumes exactly from
# OUT/V/last.pt; a finished run, a t-SNE or a scored set is not redone.
# `python scripts/contrastive_results.py OUT` gathers the two into
# data_samples/results/contrastive_steps<STEPS>.json.
set -euo pipefail
OUT=${1:?output folder}
STEPS=${STEPS:-1500}
SEED=${SEED:-0}
THREADS=${THREADS:-1}
RCOT=${RCOT:-.venv/bin/rcot}
PY=${PY:-.venv/bin/python}
VARIANTS=${VARIANTS:-con nocon}
SETS=${SETS-cbsd68_25 rain100l_rgb sots}
PER_TASK=${PER_TASK:-100}
: "${RCOT_DATA:?set RCOT_DATA}"
mkdir -p "$OUT"
done_steps() {  # steps recorded in a run's history.json (0 if none)
  "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["step"])' \
    "$1/history.json" 2>/dev/null || echo 0
}
for v in $VARIANTS; do
  case $v in
    con) what=() ;;
    nocon) what=(--set con_weight=0) ;;
    *) echo "unknown variant $v (con, nocon)" >&2; exit 2 ;;
  esac
  run="$OUT/$v"
  if [ "$(done_steps "$run")" -lt "$STEPS" ]; then
    resume=()
    [ -f "$run/last.pt" ] && resume=(--resume)
    echo "[contrastive] train $v to $STEPS $(date -u +%FT%TZ)" >&2
    $RCOT train --config cpu-small "${what[@]}" --data "$RCOT_DATA" --steps "$STEPS" \
        --threads "$THREADS" --set "seed=$SEED" "${resume[@]}" --out "$run" \
        --json --no-progress > "$run.train.json.tmp"
    mv "$run.train.json.tmp" "$run.train.json"
  fi
  if [ ! -f "$run/tsne.json" ]; then
    OMP_NUM_THREADS=$THREADS $RCOT tsne --checkpoint "$run/last.pt" --per-task "$PER_TASK" \
        --seed "$SEED" --out "$run/tsne.png" --json > "$run/tsne.json.tmp"
    mv "$run/tsne.json.tmp" "$run/tsne.json"
  fi
  todo=()
  for s in $SETS; do [ -f "$run/eval/$s.json" ] || todo+=("$s"); done
  if [ "${#todo[@]}" -gt 0 ]; then
    THREADS=$THREADS bash scripts/eval_benchmarks.sh "$run/last.pt" "$run/eval" \
        "${todo[@]}" > /dev/null
  fi
  echo "[contrastive] $v done $(date -u +%FT%TZ)" >&2
done
