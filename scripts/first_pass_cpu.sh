#!/usr/bin/env bash
# Does a loss on the first pass x0 = G(x) change the two-pass map? The paired
# multi-scale DA-RCOT of scripts/ablation_cpu.sh (cpu-small, STEPS steps, SEED),
# trained again with first_pass_weight=W (a pair term on x0, which neither the
# paper nor the authors' code has), then scored: the benchmarks (CBSD68 sigma
# 15/25/50, Rain100L on RGB with Y beside it, SOTS-outdoor), PSNR of x0 beside T(x)
# (scripts/first_pass.py) and Fig. 4's separation of the embeddings (rcot tsne).
# W=0 trains the same map without the term (the ablation's multi-scale run of
# data_samples/results/ablation_steps3000.json, trained identically);
# scripts/first_pass_results.py WITH WITHOUT gathers the two into
# data_samples/results/first_pass_weight_steps<STEPS>.json.
#
# Usage: RCOT_DATA=/path bash scripts/first_pass_cpu.sh OUT   (W=1 STEPS=3000 SEED=0)
# Resumable: training resumes from OUT/last.pt, finished scores are kept.
set -euo pipefail
OUT=${1:?output folder}
W=${W:-1}
STEPS=${STEPS:-3000}
SEED=${SEED:-0}
THREADS=${THREADS:-1}
RCOT=${RCOT:-.venv/bin/rcot}
PY=${PY:-.venv/bin/python}
: "${RCOT_DATA:?set RCOT_DATA}"
mkdir -p "$OUT"
have=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["step"])' \
  "$OUT/history.json" 2>/dev/null || echo 0)
if [ "$have" -lt "$STEPS" ]; then
  resume=()
  [ -f "$OUT/last.pt" ] && resume=(--resume)
  $RCOT train --config cpu-small --data "$RCOT_DATA" --steps "$STEPS" \
      --threads "$THREADS" --set model.condition=multiscale --set "seed=$SEED" \
      --set "first_pass_weight=$W" "${resume[@]}" --out "$OUT" --json --no-progress \
      > "$OUT/train.json.tmp"
  mv "$OUT/train.json.tmp" "$OUT/train.json"
fi
todo=()
for s in cbsd68_15 cbsd68_25 cbsd68_50 rain100l_rgb sots; do
  [ -f "$OUT/eval/$s.json" ] || todo+=("$s")
done
if [ "${#todo[@]}" -gt 0 ]; then
  THREADS=$THREADS bash scripts/eval_benchmarks.sh "$OUT/last.pt" "$OUT/eval" \
      "${todo[@]}" > /dev/null
fi
[ -f "$OUT/first_pass.json" ] || OMP_NUM_THREADS=$THREADS "$PY" scripts/first_pass.py \
    "$OUT/first_pass.json" "$OUT/last.pt"
[ -f "$OUT/tsne.json" ] || $RCOT tsne --checkpoint "$OUT/last.pt" --json \
    --out "$OUT/tsne.png" > "$OUT/tsne.json"
echo "[first-pass] done $(date -u +%FT%TZ)" >&2
