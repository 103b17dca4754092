#!/usr/bin/env bash
# Make a NATS server with JetStream available for Vigil's tests and workers (the default
# VIGIL_TEST_NATS_URL): nats://127.0.0.1:4222. Idempotent; prints one line saying what it did.
#
# On a fresh Debian machine (as root) it installs Debian's `nats-server` package and starts it with
# JetStream (store in /var/lib/vigil-nats). When a server already answers on the port it only checks.
set -euo pipefail

HOST=127.0.0.1
PORT=4222
STORE=/var/lib/vigil-nats
LOG=/var/log/vigil-nats.log

listening() { (exec 3<>"/dev/tcp/${HOST}/${PORT}") 2>/dev/null; }

if listening; then
    echo "ensure-nats: nothing to do, a server answers on ${HOST}:${PORT}"
    exit 0
fi

did=()
if ! command -v nats-server >/dev/null; then
    if [[ "$(id -u)" != 0 ]]; then
        echo "ensure-nats: nats-server is not installed; run this script as root (sudo bash scripts/ensure-nats.sh)," \
            "or start a NATS server with JetStream on ${HOST}:${PORT} yourself" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nats-server >/dev/null
    did+=("installed nats-server")
fi

mkdir -p "$STORE"
nohup nats-server -a "$HOST" -p "$PORT" -js -sd "$STORE" >>"$LOG" 2>&1 &
for _ in $(seq 1 50); do
    listening && break
    sleep 0.2
done
listening || { echo "ensure-nats: nats-server did not start on ${HOST}:${PORT} (see ${LOG})" >&2; exit 1; }
did+=("started nats-server with JetStream")
summary=""
for step in "${did[@]}"; do summary+="${summary:+, }${step}"; done
echo "ensure-nats: ${summary}; ${HOST}:${PORT} is ready"
