#!/usr/bin/env bash
# Smoke test of a built binary: start it on a free port with a fresh database, check
# health, keep-alive reuse, gzip, a 404 problem+json, readiness, the Dockerfile and its probe,
# then SIGTERM and a clean exit.
set -euo pipefail
binary="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'kill -9 "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
"$binary" serve --port 0 --db "$work/smoke.sqlite" 2> "$work/stderr.log" > "$work/access.log" &
pid=$!
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/stderr.log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "smoke: server did not start"; cat "$work/stderr.log"; exit 1; }
base="http://127.0.0.1:$port"
fail() { echo "smoke: FAIL: $*"; cat "$work/stderr.log"; exit 1; }

body=$(curl -sS "$base/health")
[ "$body" = '{"status":"ok"}' ] || fail "health body: $body"
echo "smoke: health ok"

reuse=$(curl -sSv "$base/health" "$base/health" 2>&1 >/dev/null | grep -ci "re-using existing connection" || true)
[ "$reuse" -ge 1 ] || fail "keep-alive connection was not reused"
echo "smoke: keep-alive reuse ok"

curl -sS -H 'Accept-Encoding: gzip' -D "$work/gz.headers" -o "$work/gz.body" "$base/openapi.yaml"
grep -qi '^content-encoding: gzip' "$work/gz.headers" || fail "no gzip: $(cat "$work/gz.headers")"
grep -qi '^vary: accept-encoding' "$work/gz.headers" || fail "no Vary"
curl -sS -o "$work/plain.body" "$base/openapi.yaml"
gunzip -c "$work/gz.body" | cmp - "$work/plain.body" || fail "gzip body differs"
echo "smoke: gzip ok"

status=$(curl -sS -o "$work/404.body" -w '%{http_code} %{content_type}' "$base/no/such/thing")
[ "$status" = "404 application/problem+json" ] || fail "404: $status"
grep -q '"code":"not_found"' "$work/404.body" || fail "404 body: $(cat "$work/404.body")"
echo "smoke: 404 problem+json ok"

status=$(curl -sS -o "$work/ready.body" -w '%{http_code}' "$base/ready")
[ "$status" = "200" ] || fail "ready: $status $(cat "$work/ready.body")"
echo "smoke: ready ok"

bash "$here/dockerfile_check.sh" "$binary" "$port" || fail "Dockerfile check"

kill -TERM "$pid"
code=0
wait "$pid" || code=$?
[ "$code" -eq 0 ] || fail "exit code after SIGTERM: $code"
grep -q "method=GET path=/health status=200" "$work/access.log" || fail "no access log line"
echo "smoke: SIGTERM clean exit ok"
echo "smoke: 6 passed, 0 failed"
