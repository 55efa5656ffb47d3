#!/usr/bin/env bash
# Installs the Keycloak the SSO tests start (KeycloakSsoIT):
#   deploy/ci/install-keycloak.sh   -> ~/.cache/gantry/keycloak-26.5.6/bin/kc.sh
# The distribution comes from Maven Central through the project's Maven (org.keycloak:keycloak-quarkus-dist:26.5.6:zip,
# about 165 MB), is unzipped and started once in dev mode (start-dev builds its dev configuration into lib/quarkus,
# about 8 s; a test's start-dev then skips that) and stopped, its data removed.
# An installation already there is reused. Keycloak runs on Java 17+ ($GANTRY_KEYCLOAK_JAVA_HOME, default the
# system JDK 17). The tests find it there, or at $GANTRY_KEYCLOAK.
set -euo pipefail
VERSION=26.5.6
DEST="${GANTRY_KEYCLOAK:-$HOME/.cache/gantry/keycloak-$VERSION}"
if [ -x "$DEST/bin/kc.sh" ] && [ -f "$DEST/.gantry-built" ]; then
  echo "keycloak $VERSION: $DEST (cached)"
  exit 0
fi
cd "$(dirname "$0")/../.."
start=$(date +%s)
ZIP="$HOME/.m2/repository/org/keycloak/keycloak-quarkus-dist/$VERSION/keycloak-quarkus-dist-$VERSION.zip"
if [ ! -f "$ZIP" ]; then
  ./mvnw -B -ntp -q dependency:get -Dartifact=org.keycloak:keycloak-quarkus-dist:$VERSION:zip -Dtransitive=false
fi
mkdir -p "${DEST%/*}"
tmp="$(mktemp -d "${DEST%/*}/.keycloak-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
unzip -q "$ZIP" -d "$tmp"
kc="$tmp/keycloak-$VERSION"
if [ -z "${GANTRY_KEYCLOAK_JAVA_HOME:-}" ]; then
  for j in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-17-jdk-amd64; do
    [ -x "$j/bin/java" ] && GANTRY_KEYCLOAK_JAVA_HOME="$j" && break
  done
fi
if [ -n "${GANTRY_KEYCLOAK_JAVA_HOME:-}" ]; then export JAVA_HOME="$GANTRY_KEYCLOAK_JAVA_HOME"; fi
# Start once in dev mode so the dev build is done here, not in each test; then stop it and drop its data.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$kc/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$port" --http-management-port="$mport" >"$tmp/warmup.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do
  grep -q ' started in ' "$tmp/warmup.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/warmup.log" >&2; exit 1; }
  sleep 0.5
done
grep -q ' started in ' "$tmp/warmup.log" || { cat "$tmp/warmup.log" >&2; kill "$pid"; exit 1; }
kill "$pid"; wait "$pid" 2>/dev/null || true
rm -rf "$kc/data"
touch "$kc/.gantry-built"
rm -rf "$DEST"
mv "$kc" "$DEST"
echo "keycloak $VERSION: $DEST (installed in $(( $(date +%s) - start ))s)"
