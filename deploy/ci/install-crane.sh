#!/usr/bin/env bash
# Installs the crane binary the registry interop tests run (CraneInteropTest):
#   deploy/ci/install-crane.sh   -> ~/.cache/gantry/crane-v0.22.1/crane
# A binary already there is reused. Needs Go (1.26 builds it). The tests find it there, or at $GANTRY_CRANE.
set -euo pipefail
VERSION=v0.22.1
exec "$(dirname "$0")/../go-install.sh" crane "github.com/google/go-containerregistry/cmd/crane@$VERSION" crane \
  "${GANTRY_CRANE:-$HOME/.cache/gantry/crane-$VERSION/crane}" "about a minute"
