#!/usr/bin/env bash
# Installs the crane binary the registry interop tests run (CraneInteropTest):
#   deploy/ci/install-crane.sh   -> ~/.cache/gantry/crane-v0.22.1/crane
# A binary already there is reused. Needs Go (1.26 builds it). The tests find it there, or at $GANTRY_CRANE.
set -euo pipefail
VERSION=v0.22.1
MODULE=github.com/google/go-containerregistry/cmd/crane
BIN="${GANTRY_CRANE:-$HOME/.cache/gantry/crane-$VERSION/crane}"
DIR="$(dirname "$BIN")"

if [ -x "$BIN" ]; then
  echo "crane: $VERSION already installed at $BIN"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "crane: 'go' not found; install Go 1.26 (apt-get install golang, or go.dev/dl) and run again" >&2; exit 1; }

mkdir -p "$DIR"
start=$(date +%s)
echo "crane: building $MODULE@$VERSION into $DIR (about a minute)..."
tmp="$(mktemp -d "$DIR/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# GOTOOLCHAIN=local: fail loudly instead of silently fetching a different Go
GOTOOLCHAIN=local GOBIN="$tmp" go install "$MODULE@$VERSION"
# rename last so a half-written binary is never mistaken for an installed one
mv "$tmp/crane" "$BIN"
echo "crane: installed $BIN in $(( $(date +%s) - start ))s"
