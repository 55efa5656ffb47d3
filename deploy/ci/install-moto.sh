#!/usr/bin/env bash
# Installs moto's server (AWS APIs on loopback: KmsSignerTest signs with its KMS) into
# ~/.cache/gantry/moto-venv, once.
set -euo pipefail
SERIES=5
VENV="${GANTRY_MOTO_VENV:-$HOME/.cache/gantry/moto-venv}"
if [ -x "$VENV/bin/moto_server" ] && "$VENV/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null | grep -q "^$SERIES\."; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q "moto[server]==$SERIES.*"
"$VENV/bin/python" -c 'import moto; print("moto", moto.__version__)'
