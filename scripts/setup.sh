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
# The CPU build of PyTorch first: an unpinned `torch` would pull a multi-GB CUDA build.
if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  echo "[setup] installing torch (CPU build)"
  pip_ "torch==${RCOT_TORCH_VERSION:-2.13.0}" || pip_ torch --index-url https://download.pytorch.org/whl/cpu
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
