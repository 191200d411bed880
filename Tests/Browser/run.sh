#!/usr/bin/env bash
# Runs the web front's browser tests against a built foothold binary: installs Debian's chromium
# and fonts when missing, and Playwright (pinned) in a venv of its own. Never `playwright install`:
# its download host is unreachable here, and Debian's chromium is the browser we test.
# Usage: Tests/Browser/run.sh BINARY [--screenshots DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
binary="${1:?usage: Tests/Browser/run.sh BINARY [--screenshots DIR]}"
shift
bash "$root/scripts/install-deps.sh" chromium fonts-dejavu-core python3-venv
venv="${BROWSER_VENV:-$root/.build-ci/browser-venv}"
want="$(sha256sum "$root/Tests/Browser/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/requirements.sha256" 2>/dev/null)" != "$want" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --no-deps -r "$root/Tests/Browser/requirements.txt"
    "$venv/bin/pip" check
    echo "$want" > "$venv/requirements.sha256"
fi
# Playwright's own browser download is never used; the tests pass executable_path.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec "$venv/bin/python" "$root/Tests/Browser/test_front.py" "$binary" "$@"
