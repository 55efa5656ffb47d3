#!/usr/bin/env bash
# Installs the Temporal server binary Gantry's durable mode and its end-to-end tests run:
#   deploy/temporal/install.sh        -> ~/.cache/gantry/temporal-server-1.32.1/server
# A binary already there is reused: building it takes 4-11 minutes on two cores.
# Needs Go (1.26 builds 1.32.1; newer servers need a newer Go than the machines have).
set -euo pipefail
VERSION=1.32.1
DIR="${GANTRY_TEMPORAL_HOME:-$HOME/.cache/gantry/temporal-server-$VERSION}"
BIN="$DIR/server"

if [ -x "$BIN" ]; then
  echo "temporal: server $VERSION already installed at $BIN"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "temporal: 'go' not found; install Go 1.26 (apt-get install golang, or go.dev/dl) and run again" >&2; exit 1; }

mkdir -p "$DIR"
start=$(date +%s)
echo "temporal: building go.temporal.io/server/cmd/server@v$VERSION into $DIR (4-11 minutes)..."
# GOTOOLCHAIN=local: fail loudly instead of silently fetching a different Go
tmp="$(mktemp -d "$DIR/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
GOTOOLCHAIN=local GOBIN="$tmp" go install "go.temporal.io/server/cmd/server@v$VERSION"
# rename last so a half-written binary is never mistaken for an installed one
mv "$tmp/server" "$BIN"
echo "temporal: installed $BIN in $(( $(date +%s) - start ))s"
