#!/usr/bin/env bash
# What holds the unpaired game back: DA-RCOT* (cpu-unpaired --variant da-rcot)
# with one setting changed at a time (rcot_lib.unpaired_factors.FACTORS):
#   potential_width=64  a potential twice as wide      (--set model.potential_width=64)
#   critic_steps=4      four potential steps a map step (--set critic_steps=4)
#   sigma=0.01          a third of the cost weight      (--set sigma=0.01)
#   lr_map=1e-3         the map's learning rate x 3.3   (--set lr_map=1e-3)
# each by scripts/unpaired_cpu.sh (resumable, scored on its benchmark sets) into
# OUT/<factor>/da-rcot/, the same steps, seed and data as DA-RCOT* of the unpaired
# comparison, which is the row every factor is compared with.
#
# Usage: RCOT_DATA=/path bash scripts/unpaired_factors_cpu.sh OUT
#   FACTORS="potential_width=64 critic_steps=4 sigma=0.01 lr_map=1e-3" STEPS=3000 SEED=0
#   THREADS=1 (two copies with different FACTORS run side by side on 2 cores)
# then: python scripts/unpaired_factors_results.py OUT --steps STEPS --seed SEED
set -euo pipefail
OUT=${1:?output folder}
FACTORS=${FACTORS:-potential_width=64 critic_steps=4 sigma=0.01 lr_map=1e-3}
: "${RCOT_DATA:?set RCOT_DATA}"
here=$(dirname "$0")
PY=${PY:-.venv/bin/python}
flags=()
for factor in $FACTORS; do  # every name checked before any training
  flags+=("$("$PY" -c 'import sys
from rcot_lib.unpaired_factors import FACTORS
if sys.argv[1] not in FACTORS:
    sys.exit("unknown factor " + sys.argv[1] + " (" + ", ".join(FACTORS) + ")")
print(" ".join("--set " + flag for flag in FACTORS[sys.argv[1]]))' "$factor")")
done
k=0
for factor in $FACTORS; do
  echo "[factors] $factor $(date -u +%FT%TZ)" >&2
  VARIANTS=da-rcot EXTRA=${flags[$k]} bash "$here/unpaired_cpu.sh" "$OUT/$factor"
  k=$((k + 1))
done
