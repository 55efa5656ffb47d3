#!/usr/bin/env bash
# Installs the cosign binaries the signing interop tests run (CosignInteropTest):
#   deploy/ci/install-cosign.sh   -> ~/.cache/gantry/cosign-v3.1.3/cosign and ~/.cache/gantry/cosign-v2.6.5/cosign
# A binary already there is reused: building one takes 4-6 minutes on two cores.
# Needs Go (1.26 builds both). The tests find them there, or at $GANTRY_COSIGN3 / $GANTRY_COSIGN2.
set -euo pipefail
CACHE="$HOME/.cache/gantry"
GO_INSTALL="$(dirname "$0")/../go-install.sh"
"$GO_INSTALL" cosign github.com/sigstore/cosign/v3/cmd/cosign@v3.1.3 cosign "${GANTRY_COSIGN3:-$CACHE/cosign-v3.1.3/cosign}" "4-6 minutes"
"$GO_INSTALL" cosign github.com/sigstore/cosign/v2/cmd/cosign@v2.6.5 cosign "${GANTRY_COSIGN2:-$CACHE/cosign-v2.6.5/cosign}" "4-6 minutes"
