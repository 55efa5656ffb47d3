#!/usr/bin/env bash
# Runs a durable Temporal server (1.32.1) on one SQLite file under DATA_DIR:
#   deploy/temporal/run.sh DATA_DIR [PORT]        PORT = frontend gRPC, default 7233
# With TEMPORAL_TLS_DIR (see below) the frontend speaks mTLS; TEMPORAL_SQLITE_SYNCHRONOUS=1 trades
# the last commits before a power cut (not a crash) for speed (default 2, FULL).
# Writes DATA_DIR/temporal.yaml and DATA_DIR/dynamicconfig.yaml, keeps history in
# DATA_DIR/temporal.db, then replaces itself with the server (so its pid is the server's).
# Other ports derive from PORT as in Temporal's defaults: HTTP PORT+10, history PORT+1,
# matching PORT+2, worker PORT+6, membership PORT-300 +0/+1/+2/+6.
# The server does not create a namespace; Gantry creates its own on start.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=1.32.1
BIN="${TEMPORAL_SERVER:-${GANTRY_TEMPORAL_HOME:-$HOME/.cache/gantry/temporal-server-$VERSION}/server}"

[ $# -ge 1 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
mkdir -p "$1"
DATA="$(cd "$1" && pwd)"
P="${2:-7233}"
[ -x "$BIN" ] || { echo "temporal: no server binary at $BIN; run deploy/temporal/install.sh first" >&2; exit 1; }

cp "$HERE/dynamicconfig/gantry.yaml" "$DATA/dynamicconfig.yaml"
# TLS on the frontend when TEMPORAL_TLS_DIR holds ca.pem, server.pem/.key (the frontend's) and
# worker.pem/.key (the server's own system worker, a client of the frontend): clients must present
# a certificate signed by ca.pem (mTLS); TEMPORAL_TLS_SERVER_NAME is the name in server.pem.
: > "$DATA/tls.yaml"
if [ -n "${TEMPORAL_TLS_DIR:-}" ]; then
  T="$(cd "$TEMPORAL_TLS_DIR" && pwd)"
  for f in ca.pem server.pem server.key worker.pem worker.key; do
    [ -r "$T/$f" ] || { echo "temporal: TEMPORAL_TLS_DIR=$T has no $f" >&2; exit 1; }
  done
  cat > "$DATA/tls.yaml" <<TLS
  tls:
    frontend:
      server:
        certFile: "$T/server.pem"
        keyFile: "$T/server.key"
        requireClientAuth: true
        clientCaFiles: ["$T/ca.pem"]
      client:
        serverName: "${TEMPORAL_TLS_SERVER_NAME:-localhost}"
        rootCaFiles: ["$T/ca.pem"]
    systemWorker:
      certFile: "$T/worker.pem"
      keyFile: "$T/worker.key"
      client:
        serverName: "${TEMPORAL_TLS_SERVER_NAME:-localhost}"
        rootCaFiles: ["$T/ca.pem"]
TLS
fi
sed -e "s|@DB_FILE@|$DATA/temporal.db|g" \
    -e "s|@DYNAMIC_CONFIG@|$DATA/dynamicconfig.yaml|g" \
    -e "s|@SYNCHRONOUS@|${TEMPORAL_SQLITE_SYNCHRONOUS:-2}|g" \
    -e "s|@FRONTEND_PORT@|$P|g" \
    -e "s|@HTTP_PORT@|$((P + 10))|g" \
    -e "s|@HISTORY_PORT@|$((P + 1))|g" \
    -e "s|@MATCHING_PORT@|$((P + 2))|g" \
    -e "s|@WORKER_PORT@|$((P + 6))|g" \
    -e "s|@FRONTEND_MEMBERSHIP_PORT@|$((P - 300))|g" \
    -e "s|@HISTORY_MEMBERSHIP_PORT@|$((P - 299))|g" \
    -e "s|@MATCHING_MEMBERSHIP_PORT@|$((P - 298))|g" \
    -e "s|@WORKER_MEMBERSHIP_PORT@|$((P - 294))|g" \
    -e "/@TLS@/{r $DATA/tls.yaml" -e "d}" \
    "$HERE/sqlite-server.yaml.template" > "$DATA/temporal.yaml"

echo "temporal: server $VERSION on 127.0.0.1:$P (HTTP $((P + 10))), history in $DATA/temporal.db" >&2
exec "$BIN" --config-file "$DATA/temporal.yaml" --allow-no-auth start
