#!/usr/bin/env bash
# Install what is missing into ./.venv (idempotent; quick when nothing changed).
#   bash scripts/setup.sh            # the kit, JupyterLab and the test tools
#   RCOT_NO_BROWSER=1 bash scripts/setup.sh   # skip Chromium (browser tests then skip)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
VENV=.venv
if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating $VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
fi
pip_() { "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$@"; }
# PyTorch first, so that nothing pulls an unpinned one. The default index (PyPI)
# serves Linux a multi-GB CUDA build, so on a machine without an NVIDIA GPU the
# CPU build comes from PyTorch's CPU index. Order: a wheel pip finds without a
# network (find-links, a local mirror); then, without a GPU, the CPU index; last,
# the default index (where the CPU index cannot be reached: a CUDA build, said so).
TORCH="torch==${RCOT_TORCH_VERSION:-2.13.0}"
if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  if pip_ --no-index --no-deps "$TORCH" 2>/dev/null; then
    pip_ "$TORCH"  # its dependencies
    echo "[setup] installed $TORCH from a local wheel"
  elif ! command -v nvidia-smi >/dev/null 2>&1 && [ "$(uname -s)" = Linux ] \
      && pip_ --timeout 30 "$TORCH" --index-url https://download.pytorch.org/whl/cpu; then
    echo "[setup] installed $TORCH, CPU build (no NVIDIA GPU found)"
  else
    echo "[setup] installing $TORCH from the default index (on Linux a CUDA build)"
    pip_ "$TORCH"
  fi
fi
stamp="$VENV/.rcot-installed"
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing rcot-kit and its dependencies"
  pip_ -e ".[dev]"
  "$VENV/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
  echo "$want" > "$stamp"
fi
# Chromium for the browser tests (tests/test_browser.py); they skip with a reason without it.
if [ -z "${RCOT_NO_BROWSER:-}" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "[setup] installing Chromium for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "[setup] could not install Chromium: browser tests will be skipped"
  else
    echo "[setup] Chromium not found and not root: browser tests will be skipped"
  fi
fi
echo "[setup] ready: $("$VENV/bin/python" -c 'import torch, rcot_lib; print("rcot_lib", rcot_lib.__version__, "torch", torch.__version__)')"
