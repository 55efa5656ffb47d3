#!/usr/bin/env bash
# Installs the Temporal server binary Gantry's durable mode and its end-to-end tests run:
#   deploy/temporal/install.sh        -> ~/.cache/gantry/temporal-server-1.32.1/server
# A binary already there is reused: building it takes 4-11 minutes on two cores.
# Needs Go (1.26 builds 1.32.1; newer servers need a newer Go than the machines have).
set -euo pipefail
VERSION=1.32.1
DIR="${GANTRY_TEMPORAL_HOME:-$HOME/.cache/gantry/temporal-server-$VERSION}"
exec "$(dirname "$0")/../go-install.sh" temporal "go.temporal.io/server/cmd/server@v$VERSION" server "$DIR/server" "4-11 minutes"
