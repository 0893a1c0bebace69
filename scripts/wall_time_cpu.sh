#!/usr/bin/env bash
# What the potential and the transport cost add to L1 when pairs are given, at an
# equal wall time: the pair-informed DA-RCOT map of cpu-small (Eq. 9: potential,
# FROT cost, pair L1, L_con) against the same map, data and seed trained without
# potential and without transport cost (adv_weight=0 sigma=0: L1 and L_con only).
# The two train side by side, one thread each, for the same MINUTES of wall time
# (the cosine decay follows the wall time), so that each gets one core and the
# cheaper L1 step buys more steps, as it would for a user with a time budget.
# Both are then scored on CBSD68 sigma 15/25/50, Rain100L (RGB, Y beside it) and
# SOTS-outdoor, and OUT/summary.json gathers them
# (rcot_lib.ablation.summarise_runs: steps, times, curves, scores).
#
# Usage: RCOT_DATA=/path bash scripts/wall_time_cpu.sh OUT MINUTES
#   SEED=0 SETS="cbsd68_15 cbsd68_25 cbsd68_50 rain100l_rgb sots"
# Run nothing else on the machine meanwhile. A run with OUT/<run>.train.json is
# not trained again and a scored set not scored again; a run cut short has no
# .train.json and is trained again from scratch (a wall-time budget cannot be
# resumed).
set -euo pipefail
OUT=${1:?output folder}
MINUTES=${2:?minutes of wall time}
SEED=${SEED:-0}
RCOT=${RCOT:-.venv/bin/rcot}
PY=${PY:-.venv/bin/python}
SETS=${SETS-cbsd68_15 cbsd68_25 cbsd68_50 rain100l_rgb sots}
: "${RCOT_DATA:?set RCOT_DATA}"
mkdir -p "$OUT"
train() {  # name, extra rcot train flags...
  local name=$1; shift
  [ -f "$OUT/$name.train.json" ] && return 0
  rm -rf "${OUT:?}/$name"
  $RCOT train --config cpu-small --data "$RCOT_DATA" --steps 1000000 \
      --minutes "$MINUTES" --threads 1 --set "seed=$SEED" "$@" \
      --out "$OUT/$name" --json --no-progress > "$OUT/$name.train.json.tmp"
  mv "$OUT/$name.train.json.tmp" "$OUT/$name.train.json"
}
score() {  # name
  local todo=()
  for s in $SETS; do [ -f "$OUT/$1/eval/$s.json" ] || todo+=("$s"); done
  if [ "${#todo[@]}" -gt 0 ]; then
    THREADS=1 bash scripts/eval_benchmarks.sh "$OUT/$1/last.pt" "$OUT/$1/eval" \
        "${todo[@]}" > /dev/null
  fi
}
echo "[wall-time] train frot and l1 for $MINUTES min $(date -u +%FT%TZ)" >&2
train frot & a=$!
train l1 --set adv_weight=0 --set sigma=0 & b=$!
wait $a; wait $b
echo "[wall-time] score $(date -u +%FT%TZ)" >&2
score frot & a=$!
score l1 & b=$!
wait $a; wait $b
"$PY" - "$OUT" "$MINUTES" <<'EOF'
import json, sys
from rcot_lib.ablation import runs_table, summarise_runs
from rcot_lib.files import save_json
runs = summarise_runs(sys.argv[1], ("frot", "l1"))
save_json({"minutes": float(sys.argv[2]), "threads": 1, "runs": runs},
          f"{sys.argv[1]}/summary.json")
print(runs_table(runs))
EOF
