#!/usr/bin/env bash
# DA-RCOT Table IX at CPU scale: what the Fourier term of the cost (Eq. 4) does.
# The five-task DA-RCOT map trained with
#   p-task  p by degradation (the papers' rule: p = 2 for noise, p = 1 otherwise)
#   p2      p = 2 for every task          (--set task_p=[2,2,2,2,2])
#   p1      p = 1 for every task          (--set task_p=[1,1,1,1,1])
#   lam0    no Fourier term               (--set lam=0)
# (rcot_lib.fourier_ablation.SETTINGS holds these flags)
# in the unpaired setting (cpu-unpaired, variant da-rcot: Eq. 8, no loss sees a pair)
# and in the pair-informed one (cpu-small: Eq. 9), the same steps, seed and data;
# each run by scripts/unpaired_cpu.sh (resumable, scored on its benchmark sets)
# into OUT/<objective>/<setting>/<variant>/.
#
# Usage: RCOT_DATA=/path bash scripts/table9_cpu.sh OUT
#   SETTINGS="p-task p2 p1 lam0" OBJECTIVES="unpaired paired" STEPS=3000 SEED=0
#   THREADS=1 (two copies with different SETTINGS run side by side on 2 cores)
# The unpaired p-task run is DA-RCOT* of scripts/unpaired_cpu.sh: with the same
# STEPS and SEED, point OUT/unpaired/p-task/da-rcot at that run instead of
# training it again; scripts/table9_results.py takes it from
# data_samples/results/unpaired_steps<STEPS>.json when OUT does not hold it.
set -euo pipefail
OUT=${1:?output folder}
SETTINGS=${SETTINGS:-p-task p2 p1 lam0}
OBJECTIVES=${OBJECTIVES:-unpaired paired}
: "${RCOT_DATA:?set RCOT_DATA}"
here=$(dirname "$0")
PY=${PY:-.venv/bin/python}
for objective in $OBJECTIVES; do
  case $objective in
    unpaired) variant=da-rcot ;;
    paired) variant=paired ;;
    *) echo "unknown objective $objective (unpaired, paired)" >&2; exit 2 ;;
  esac
  for setting in $SETTINGS; do
    extra=$("$PY" -c 'import sys
from rcot_lib.fourier_ablation import SETTINGS
if sys.argv[1] not in SETTINGS:
    sys.exit("unknown setting " + sys.argv[1] + " (" + ", ".join(SETTINGS) + ")")
print(" ".join("--set " + flag for flag in SETTINGS[sys.argv[1]]))' "$setting")
    echo "[table9] $objective $setting $(date -u +%FT%TZ)" >&2
    VARIANTS=$variant EXTRA=$extra bash "$here/unpaired_cpu.sh" "$OUT/$objective/$setting"
  done
done
