#!/usr/bin/env bash
# Installs schemathesis (API fuzzing, used by ApiFuzzIT) into ~/.cache/gantry/venv, once.
set -euo pipefail
VERSION=4.32.5
VENV="${GANTRY_VENV:-$HOME/.cache/gantry/venv}"
if [ -x "$VENV/bin/schemathesis" ] && "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$VERSION"; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q "schemathesis==$VERSION"
"$VENV/bin/schemathesis" --version
