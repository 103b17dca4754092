#!/usr/bin/env bash
# Make a headless Chromium available for the console's browser tests: Debian's `chromium` package
# (/usr/bin/chromium), driven by Playwright's Python client (a dev dependency; its own browser
# downloads are never used). Idempotent; prints one line saying what it did.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
    echo "ensure-chromium: nothing to do, $(chromium --version 2>/dev/null | head -1)"
    exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
    echo "ensure-chromium: chromium is not installed; run this script as root" \
        "(sudo bash scripts/ensure-chromium.sh) or install Debian's chromium package" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
echo "ensure-chromium: installed $(chromium --version 2>/dev/null | head -1)"
