#!/usr/bin/env bash
# Builds one Go binary into a versioned cache, once (the install scripts call this):
#   deploy/go-install.sh LABEL MODULE@VERSION BUILT BIN HOW_LONG
# BUILT is the name `go install` gives the binary; BIN is where it is installed. A binary already
# at BIN is reused. The build lands in a temporary directory beside BIN and is renamed last, so a
# half-written binary is never mistaken for an installed one.
set -euo pipefail
[ $# -eq 5 ] || { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
label="$1" module="$2" built="$3" bin="$4" how_long="$5"
dir="$(dirname "$bin")"

if [ -x "$bin" ]; then
  echo "$label: ${module#*@} already installed at $bin"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "$label: 'go' not found; install Go 1.26 (apt-get install golang, or go.dev/dl) and run again" >&2; exit 1; }

mkdir -p "$dir"
start=$(date +%s)
echo "$label: building $module into $dir ($how_long)..."
tmp="$(mktemp -d "$dir/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# GOTOOLCHAIN=local: fail loudly instead of silently fetching a different Go
GOTOOLCHAIN=local GOBIN="$tmp" go install "$module" || { echo "$label: building $module failed" >&2; exit 1; }
mv "$tmp/$built" "$bin"
echo "$label: installed $bin in $(( $(date +%s) - start ))s"
