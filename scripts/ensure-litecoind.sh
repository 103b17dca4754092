#!/usr/bin/env bash
# Make Debian's litecoind available for Vigil's on-chain tests and benchmark (issue 21). Idempotent;
# prints one line saying what it did.
#
# It only installs: the tests start their own regtest node (a datadir under a temporary directory, a
# free RPC port, -regtest -txindex -fallbackfee=0.0001) and stop it (tests/litecoind.py). Litecoin Core is
# a Bitcoin Core fork with the same JSON-RPC and UTXO model; Debian packages no bitcoind.
set -euo pipefail

if command -v litecoind >/dev/null && command -v litecoin-cli >/dev/null; then
    echo "ensure-litecoind: nothing to do, $(command -v litecoind) is installed"
    exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
    echo "ensure-litecoind: litecoind is not installed; run this script as root (sudo bash scripts/ensure-litecoind.sh)," \
        "or install Litecoin Core (litecoind and litecoin-cli) on PATH yourself, or set VIGIL_TEST_LITECOIND" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends litecoind >/dev/null
command -v litecoind >/dev/null || { echo "ensure-litecoind: apt installed litecoind but it is not on PATH" >&2; exit 1; }
echo "ensure-litecoind: installed litecoind ($(litecoind -version | head -n 1))"
