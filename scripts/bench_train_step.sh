#!/usr/bin/env bash
# CPU timings of a full FROT training iteration and of inference, one JSON line each.
#
#   bash scripts/bench_train_step.sh [THREADS]
#
# Timings move with machine load: compare numbers from one run of this script.
# On a busy machine, OpenMP threads that spin while waiting slow torch down a lot;
# there, run with OMP_WAIT_POLICY=PASSIVE (on an idle machine it costs ~30 %).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${1:-2}"
RCOT=".venv/bin/rcot"
[ -x "$RCOT" ] || RCOT="rcot"

run() {
    local name="$1"; shift
    printf '%s\t' "$name"
    "$RCOT" bench "$@" --threads "$THREADS" --json
}

# Restormer-style DA-RCOT, the size of the official code's CPU comparison
run restormer-dim24-train train-step --backbone restormer --dim 24 --blocks 2,2,2,2 \
    --refine 1 --patch 64 --batch 8 --iters 5
# the same map with REGM as wide as the generator (regm-dim 0 = dim)
run restormer-dim24-regm24-train train-step --backbone restormer --dim 24 \
    --blocks 2,2,2,2 --refine 1 --regm-dim 0 --patch 64 --batch 8 --iters 3 --no-flops
# the light CPU default (NAFNet-style), conditioned and plain
run nafnet-default-train train-step --patch 64 --batch 8 --iters 5
run nafnet-none-train train-step --condition none --patch 64 --batch 8 --iters 5
# inference on a BSD68-sized image
run nafnet-default-infer inference --size 481x321 --iters 5
run nafnet-none-infer inference --condition none --size 481x321 --iters 5
