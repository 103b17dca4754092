#!/usr/bin/env bash
# Make a PostgreSQL server available for Vigil's tests (the default VIGIL_TEST_POSTGRES_URL):
# postgresql://vigil:vigil@127.0.0.1:5432/vigil_test. Idempotent; prints one line saying what it did.
#
# On a fresh Debian machine (as root) it installs Debian's `postgresql` package, starts the cluster
# and creates role `vigil` (password `vigil`) owning database `vigil_test`. When all of that is already
# there it only checks, in well under a second.
set -euo pipefail

HOST=127.0.0.1
PORT=5432
ROLE=vigil
DB=vigil_test
TEST_URL="postgresql://${ROLE}:${ROLE}@${HOST}:${PORT}/${DB}?connect_timeout=3"
did=()

is_root() { [[ "$(id -u)" == 0 ]]; }

ready() { command -v pg_isready >/dev/null && pg_isready -q -h "$HOST" -p "$PORT"; }

need_root() {
    echo "ensure-postgres: $1; run this script as root (sudo bash scripts/ensure-postgres.sh)," \
        "or start PostgreSQL on ${HOST}:${PORT} yourself and create role ${ROLE} (password ${ROLE})" \
        "owning database ${DB}" >&2
    exit 1
}

# Fast path: everything is already there.
if ready && psql "$TEST_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; then
    echo "ensure-postgres: nothing to do, ${DB} on ${HOST}:${PORT} accepts ${ROLE}"
    exit 0
fi

if ! ready; then
    if ! command -v pg_ctlcluster >/dev/null || [[ ! -d /etc/postgresql ]] || [[ -z "$(ls -A /etc/postgresql)" ]]; then
        is_root || need_root "PostgreSQL is not installed"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq postgresql >/dev/null
        did+=("installed postgresql")
    fi
    if ! ready; then
        is_root || need_root "PostgreSQL is installed but not running"
        version="$(ls /etc/postgresql | sort -V | tail -n 1)"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || true  # "already running" is fine
        for _ in $(seq 1 60); do
            ready && break
            sleep 0.5
        done
        ready || { echo "ensure-postgres: cluster $version/main did not become ready on ${HOST}:${PORT}" >&2; exit 1; }
        did+=("started cluster $version/main")
    fi
fi

# As superuser: over TCP as postgres (trust auth), else through the socket as the postgres user (peer auth).
admin() {
    if psql -h "$HOST" -p "$PORT" -U postgres -d postgres -w -qtAc 'SELECT 1' >/dev/null 2>&1; then
        psql -h "$HOST" -p "$PORT" -U postgres -d postgres -w -v ON_ERROR_STOP=1 -qtA "$@"
    elif is_root; then
        runuser -u postgres -- psql -p "$PORT" -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
    else
        need_root "cannot connect to PostgreSQL as superuser postgres"
    fi
}

admin >/dev/null <<SQL
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', '${ROLE}', '${ROLE}')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}')\gexec
ALTER ROLE ${ROLE} LOGIN PASSWORD '${ROLE}';
SELECT format('CREATE DATABASE %I OWNER %I', '${DB}', '${ROLE}')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${DB}')\gexec
ALTER DATABASE ${DB} OWNER TO ${ROLE};
SQL
did+=("ensured role ${ROLE} and database ${DB}")

if ! psql "$TEST_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; then
    echo "ensure-postgres: ${ROLE} still cannot log in to ${DB} on ${HOST}:${PORT} (check pg_hba.conf)" >&2
    exit 1
fi
summary=""
for step in "${did[@]}"; do summary+="${summary:+, }${step}"; done
echo "ensure-postgres: ${summary}; ${DB} on ${HOST}:${PORT} is ready"
