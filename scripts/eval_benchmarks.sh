#!/usr/bin/env bash
# Evaluate a checkpoint on every benchmark of $RCOT_DATA/benchmarks with `rcot eval`
# and print a Markdown table (scripts/benchmark_table.py).
#
# Usage: RCOT_DATA=/path bash scripts/eval_benchmarks.sh CHECKPOINT OUTDIR [SETS...]
# SETS (default all): cbsd68_15 cbsd68_25 cbsd68_50 set12_25 rain100l_rgb rain100l sots lol
# (rain100l is scored on Y; rain100l_rgb on RGB as the all-in-one tables do, and
# every RGB set also records Y in its JSON: psnr_y_in, psnr_y_out, ...)
# and, not by default, cbsd68_blur (CBSD68 with seeded synthetic motion blur,
# the `deblur` degradation: there is no real blur benchmark in the data folder)
# EVAL_ARGS adds flags to every `rcot eval`, e.g. EVAL_ARGS=--self-ensemble
set -euo pipefail
CKPT=${1:?checkpoint}
OUT=${2:?output folder}
shift 2
SETS=${*:-cbsd68_15 cbsd68_25 cbsd68_50 set12_25 rain100l_rgb rain100l sots lol}
B="${RCOT_DATA:?set RCOT_DATA}/benchmarks"
RCOT=${RCOT:-.venv/bin/rcot}
# set OMP_WAIT_POLICY=PASSIVE when the machine is shared with other jobs
THREADS=${THREADS:-2}
read -r -a extra <<< "${EVAL_ARGS:-}"
mkdir -p "$OUT"
for s in $SETS; do
  case $s in
    cbsd68_blur) args=(--clean "$B/denoise/CBSD68" --degradation deblur) ;;
    cbsd68_*) args=(--clean "$B/denoise/CBSD68" --degradation "denoise_${s#cbsd68_}") ;;
    set12_*) args=(--clean "$B/denoise/Set12" --degradation "denoise_${s#set12_}") ;;
    rain100l) args=(--pairs "$B/derain/Rain100L" --y-channel) ;;
    rain100l_rgb) args=(--pairs "$B/derain/Rain100L") ;;  # RGB, Y beside it
    sots) args=(--pairs "$B/dehaze/SOTS-outdoor") ;;
    lol) args=(--pairs "$B/lowlight/LOL") ;;
    *) echo "unknown set $s" >&2; exit 2 ;;
  esac
  $RCOT eval --checkpoint "$CKPT" "${args[@]}" "${extra[@]}" --threads "$THREADS" --json \
      > "$OUT/$s.json.tmp" && mv "$OUT/$s.json.tmp" "$OUT/$s.json"
  echo "$s done $(date -u +%TZ)" >&2
done
.venv/bin/python scripts/benchmark_table.py "$OUT"
# the means as JSON (the .eval.json next to a checkpoint):
#   python scripts/benchmark_table.py "$OUT" --json
