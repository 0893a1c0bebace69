#!/usr/bin/env bash
# Wheels that scripts/gpu_checks.sh needs on a GPU machine whose Python has
# PyTorch, NumPy, SciPy, matplotlib, einops, tqdm and scikit-learn but not the
# notebook stack: IPython and its dependencies (about 8 MB; Python 3.12, x86-64),
# for the notebook-04 check, which runs notebooks/04_train_restorer.py as a script
# (the library and that notebook need neither POT nor ipywidgets). Run it where pip
# can reach the package index; carry DIR to the GPU machine and install it there
# without the network:
#
#   bash scripts/device_wheels.sh .whl                      # here
#   python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
#   PYTHONPATH=/tmp/site RCOT_DATA=... bash scripts/gpu_checks.sh OUT   # there
set -euo pipefail
DIR=${1:?folder for the wheels}
PYVER=${PYVER:-3.12}
mkdir -p "$DIR"
python3 -m pip download -q --only-binary=:all: --python-version "$PYVER" \
    --implementation cp --platform manylinux_2_28_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d "$DIR" ipython
# already in the GPU image, where a second version would break the install
for name in numpy scipy psutil pygments typing_extensions; do
    rm -f "$DIR/$name"-*.whl
done
ls "$DIR"
du -sh "$DIR"
