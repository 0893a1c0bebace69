#!/usr/bin/env bash
# The paper's unpaired comparison (DA-RCOT Table VIII, rows WGAN-GP*, OTUR*, SOT*,
# RCOT*, DA-RCOT*) at CPU scale: each variant of `rcot train --config cpu-unpaired
# --variant V` (rcot_lib.presets.unpaired_variant) from scratch on the five
# all-in-one tasks, no loss seeing a pair, the same steps, seed and data; then
# scored on CBSD68 sigma 15/25/50, Rain100L (RGB, Y beside it) and SOTS-outdoor.
#
# Usage: RCOT_DATA=/path bash scripts/unpaired_cpu.sh OUT
#   VARIANTS="wgan-gp otur sot rcot da-rcot"  (default: all five, in that order;
#            "l1" adds the supervised reference: cpu-small's one-pass map trained
#            on the pair L1 term alone, no potential, no transport cost;
#            "paired" the pair-informed DA-RCOT of cpu-small, Eq. 9)
#   STEPS=3000 SEED=0 THREADS=1 CONFIG=cpu-unpaired
#   SETS="cbsd68_15 cbsd68_25 cbsd68_50 rain100l_rgb sots"
#   EXTRA="--set lam=0" adds rcot train flags to every variant
# Resumable: a variant whose OUT/V/last.pt holds fewer than STEPS steps is
# resumed exactly from it, one that is done is not trained again, and a set
# whose OUT/V/eval/SET.json exists is not scored again. Two copies with
# different VARIANTS and THREADS=1 run side by side on a 2-core machine.
# rcot_lib.unpaired.summarise(OUT) gathers steps, times, curves and scores
# (the JSON files of data_samples/results/ are such summaries).
set -euo pipefail
OUT=${1:?output folder}
STEPS=${STEPS:-3000}
SEED=${SEED:-0}
THREADS=${THREADS:-1}
CONFIG=${CONFIG:-cpu-unpaired}
RCOT=${RCOT:-.venv/bin/rcot}
PY=${PY:-.venv/bin/python}
VARIANTS=${VARIANTS:-wgan-gp otur sot rcot da-rcot}
SETS=${SETS-cbsd68_15 cbsd68_25 cbsd68_50 rain100l_rgb sots}
: "${RCOT_DATA:?set RCOT_DATA}"
read -r -a extra <<< "${EXTRA:-}"
mkdir -p "$OUT"
done_steps() {  # steps recorded in a run's history.json (0 if none)
  "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["step"])' \
    "$1/history.json" 2>/dev/null || echo 0
}
for v in $VARIANTS; do
  run="$OUT/$v"
  have=$(done_steps "$run")
  if [ "$have" -lt "$STEPS" ]; then
    resume=()
    [ -f "$run/last.pt" ] && resume=(--resume)
    echo "[unpaired] train $v from step $have to $STEPS $(date -u +%FT%TZ)" >&2
    if [ "$v" = l1 ]; then
      what=(--config cpu-small --set adv_weight=0 --set sigma=0 --set con_weight=0
            --set model.condition=none)
    elif [ "$v" = paired ]; then
      what=(--config cpu-small)
    else
      what=(--config "$CONFIG" --variant "$v")
    fi
    $RCOT train "${what[@]}" --data "$RCOT_DATA" \
        --steps "$STEPS" --threads "$THREADS" --set "seed=$SEED" "${extra[@]}" \
        "${resume[@]}" --out "$run" --json --no-progress > "$run.train.json.tmp"
    mv "$run.train.json.tmp" "$run.train.json"
  fi
  todo=()
  for s in $SETS; do [ -f "$run/eval/$s.json" ] || todo+=("$s"); done
  if [ "${#todo[@]}" -gt 0 ]; then
    THREADS=$THREADS bash scripts/eval_benchmarks.sh "$run/last.pt" "$run/eval" \
        "${todo[@]}" > /dev/null
  fi
  echo "[unpaired] $v done $(date -u +%FT%TZ)" >&2
done
