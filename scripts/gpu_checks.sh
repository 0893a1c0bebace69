#!/usr/bin/env bash
# GPU numbers in one run of about 8 minutes on one CUDA GPU:
#
#   restormer-*   the Restormer-style train-step benchmark of the README (dim 24,
#                 blocks 2,2,2,2, one refinement block, 64x64, batch 8): float32,
#                 bf16 autocast, bf16 + torch.compile
#   medium-*      the gpu-medium preset's map and crops (128x128, batch 16):
#                 bf16 + channels-last (the preset), float32
#   infer-*       the CPU default map on a 481x321 image: float32, bf16
#   train-medium  `rcot train --config gpu-medium` for TRAIN_MIN minutes on
#                 $RCOT_DATA: steps per second with the real data pipeline, and
#                 the minutes that the preset's 6000 steps would take
#   notebook-04   notebooks/04_train_restorer.py in fast mode on the GPU
#
# Each check has its own time limit; one that fails is logged and the next one
# runs. Every result is one JSON line of OUT/gpu_checks.jsonl (stderr tails in
# OUT/gpu_checks.err); a table is printed at the end.
#
# Usage, from the repository root, with a CUDA build of torch (no install needed:
# the kit runs from the source tree):
#   RCOT_DATA=/path/holding/train bash scripts/gpu_checks.sh OUT
# Where that Python lacks IPython (needed by the notebook-04 check only), bring its
# wheels from scripts/device_wheels.sh and put them on PYTHONPATH first. PY picks
# the interpreter (default python3; .venv/bin/python with QUICK=1 if it exists).
# The checks train on $RCOT_DATA/train/clean/BSD390 only (29 MB): to run them on a
# machine without the data folder, copy that folder into the ignored .data/ and
# bring it along with .whl/:
#   mkdir -p .data/train/clean && cp -r "$RCOT_DATA/train/clean/BSD390" .data/train/clean/
#   PYTHONPATH=/tmp/site RCOT_DATA=.data bash scripts/gpu_checks.sh OUT   # there
# QUICK=1 runs the same sequence on the CPU with a tiny model and without
# torch.compile (about 2 minutes): it checks this script, not the GPU.
set -uo pipefail
OUT=${1:?output folder}
if [ -z "${PY:-}" ]; then  # QUICK runs here, in the kit's .venv
    if [ "${QUICK:-0}" = 1 ] && [ -x .venv/bin/python ]; then PY=.venv/bin/python
    else PY=python3; fi
fi
TRAIN_MIN=${TRAIN_MIN:-2}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 MPLBACKEND=Agg
mkdir -p "$OUT"
LOG="$OUT/gpu_checks.jsonl"
ERR="$OUT/gpu_checks.err"
: > "$LOG"
: > "$ERR"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ "${QUICK:-0}" = 1 ]; then
    DEV=cpu
    TINY=(--dim 4 --blocks 1,1,1,1 --regm-dim 2 --refine 0 --potential-width 4
          --potential-depth 2 --threads 2)
    RESTORMER=("${TINY[@]}" --heads 1,1,2,2 --patch 16 --batch 2)
    MEDIUM=(--preset tiny --threads 2)
    INFER=("${TINY[@]}" --size 48x32)
    ITERS=(--iters 2 --warmup 1)
    TRAIN=(--config tiny --steps 50 --minutes 0.1 --threads 2)
    COMPILE=()  # compiling on the CPU takes minutes: QUICK leaves it out
else
    DEV=cuda
    RESTORMER=(--dim 24 --blocks 2,2,2,2 --refine 1 --patch 64 --batch 8)
    MEDIUM=(--preset gpu-medium)
    INFER=(--size 481x321)
    ITERS=(--iters 20 --warmup 3)
    TRAIN=(--config gpu-medium --steps 6000 --minutes "$TRAIN_MIN")
    COMPILE=(--compile)
fi

# check NAME LIMIT_S COMMAND...: run COMMAND, keep its last stdout line as the result
check() {
    local name=$1 limit=$2 t0=$SECONDS rc
    shift 2
    echo "[gpu_checks] $name (at most ${limit} s)" >&2
    timeout "$limit" "$@" > "$TMP/stdout" 2> "$TMP/stderr"
    rc=$?
    { echo "== $name (rc $rc)"; tail -n 5 "$TMP/stderr"; } >> "$ERR"
    "$PY" - "$name" "$rc" $((SECONDS - t0)) "$TMP/stdout" >> "$LOG" <<'EOF'
import json, sys
name, rc, wall, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lines = [ln for ln in open(path).read().splitlines() if ln.strip()]
try:
    result = json.loads(lines[-1]) if lines else None
except json.JSONDecodeError:
    result = lines[-1]
print(json.dumps({"check": name, "rc": rc, "wall_s": wall, "result": result}))
EOF
}

BENCH=("$PY" -m rcot_lib bench)
check env 60 "$PY" -c 'import json, torch
cuda = torch.cuda.is_available()
print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda,
                  "gpu": torch.cuda.get_device_name() if cuda else None}))'
check restormer-fp32 120 "${BENCH[@]}" train-step --backbone restormer \
    "${RESTORMER[@]}" --device "$DEV" "${ITERS[@]}" --json
check restormer-amp 120 "${BENCH[@]}" train-step --backbone restormer \
    "${RESTORMER[@]}" --device "$DEV" --amp "${ITERS[@]}" --no-flops --json
check medium-amp 150 "${BENCH[@]}" train-step "${MEDIUM[@]}" --device "$DEV" \
    "${ITERS[@]}" --json
check medium-fp32 150 "${BENCH[@]}" train-step "${MEDIUM[@]}" --device "$DEV" \
    --no-amp --no-channels-last "${ITERS[@]}" --no-flops --json
check infer-fp32 60 "${BENCH[@]}" inference "${INFER[@]}" --device "$DEV" \
    "${ITERS[@]}" --json
check infer-amp 60 "${BENCH[@]}" inference "${INFER[@]}" --device "$DEV" --amp \
    "${ITERS[@]}" --json
check train-medium $((90 + ${TRAIN_MIN%.*} * 60)) "$PY" -m rcot_lib train "${TRAIN[@]}" \
    --data "${RCOT_DATA:?set RCOT_DATA}" --device "$DEV" --out "$TMP/train" \
    --no-progress --json
cp "$TMP/train/history.json" "$OUT/train_medium_history.json" 2>/dev/null
check notebook-04 240 env RCOT_FAST=1 "$PY" notebooks/04_train_restorer.py
check restormer-amp-compile 240 "${BENCH[@]}" train-step \
    --backbone restormer "${RESTORMER[@]}" --device "$DEV" --amp "${COMPILE[@]}" \
    "${ITERS[@]}" --no-flops --json

"$PY" - "$LOG" <<'EOF'
import json, sys
print(f"{'check':22s} {'rc':>3s} {'wall s':>6s}  result")
for line in open(sys.argv[1]):
    r = json.loads(line)
    res = r["result"]
    if isinstance(res, dict) and "median_s" in res:
        gpu = res.get("peak_gpu_mb")
        res = (f"median {res['median_s']:.4f} s"
               + (f", peak GPU {gpu:.0f} MiB" if gpu is not None else "")
               + (f", {res['flops_per_step'] / 1e9:.1f} GFLOP/step"
                  if res.get("flops_per_step") else ""))
    elif isinstance(res, dict) and "wall_s" in res and res.get("step"):
        rate = res["step"] / max(res["wall_s"], 1e-9)
        res = (f"{res['step']} steps in {res['wall_s']} s: {rate:.2f} steps/s, "
               f"6000 steps ~ {6000 / rate / 60:.1f} min, val PSNR "
               f"{res.get('val_psnr', float('nan')):.2f} dB")
    print(f"{r['check']:22s} {r['rc']:3d} {r['wall_s']:6d}  {res}")
EOF
