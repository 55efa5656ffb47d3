#!/usr/bin/env bash
# Installs the cosign binaries the signing interop tests run (CosignInteropTest):
#   deploy/ci/install-cosign.sh   -> ~/.cache/gantry/cosign-v3.1.3/cosign and ~/.cache/gantry/cosign-v2.6.5/cosign
# A binary already there is reused: building one takes 4-6 minutes on two cores.
# Needs Go (1.26 builds both). The tests find them there, or at $GANTRY_COSIGN3 / $GANTRY_COSIGN2.
set -euo pipefail
CACHE="$HOME/.cache/gantry"

# install MODULE VERSION BINARY
install() {
  local module="$1" version="$2" bin="$3"
  local dir
  dir="$(dirname "$bin")"
  if [ -x "$bin" ]; then
    echo "cosign: $version already installed at $bin"
    return 0
  fi
  command -v go >/dev/null 2>&1 || { echo "cosign: 'go' not found; install Go 1.26 (apt-get install golang, or go.dev/dl) and run again" >&2; exit 1; }
  mkdir -p "$dir"
  local start tmp
  start=$(date +%s)
  echo "cosign: building $module@$version into $dir (4-6 minutes)..."
  tmp="$(mktemp -d "$dir/.build.XXXXXX")"
  # GOTOOLCHAIN=local: fail loudly instead of silently fetching a different Go
  if ! GOTOOLCHAIN=local GOBIN="$tmp" go install "$module@$version"; then
    rm -rf "$tmp"
    echo "cosign: building $module@$version failed" >&2
    exit 1
  fi
  # rename last so a half-written binary is never mistaken for an installed one
  mv "$tmp/cosign" "$bin"
  rm -rf "$tmp"
  echo "cosign: installed $bin in $(( $(date +%s) - start ))s"
}

install github.com/sigstore/cosign/v3/cmd/cosign v3.1.3 "${GANTRY_COSIGN3:-$CACHE/cosign-v3.1.3/cosign}"
install github.com/sigstore/cosign/v2/cmd/cosign v2.6.5 "${GANTRY_COSIGN2:-$CACHE/cosign-v2.6.5/cosign}"
