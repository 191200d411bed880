#!/usr/bin/env bash
# Slowloris under the connection cap: slowhttptest (Debian) keeps 1,500 connections sending
# their request heads a line at a time against the default cap of 1,024, while another client
# asks /health every 100 ms on fresh connections. Every probe must be answered 200 within a
# second: the server makes room by evicting the heads that have been arriving longest.
set -euo pipefail
binary="$(realpath "$1")"
work="$(mktemp -d)"
ulimit -n 8192
"$binary" serve --port 0 --db "$work/slow.sqlite" --quiet 2> "$work/stderr.log" &
pid=$!
trap 'kill -9 "$pid" 2>/dev/null || true; kill "$attack" 2>/dev/null || true; rm -rf "$work"' EXIT
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/stderr.log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "slowloris: server did not start"; cat "$work/stderr.log"; exit 1; }
# -H slow headers, -c connections, -r new connections a second, -i seconds between header lines,
# -l test length, -x longest header line; all on loopback, and it ends by itself.
slowhttptest -H -c 1500 -r 500 -i 5 -l 25 -x 24 -p 3 -u "http://127.0.0.1:$port/health" -g -o "$work/report" > "$work/attack.log" 2>&1 &
attack=$!
# Let the attack fill the server (1,500 at 500 a second: 3 s), then probe while it lasts.
sleep 5
probes=0
failed=0
slowest=0
for _ in $(seq 1 150); do
    result=$(curl -s -o /dev/null --max-time 1 -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/health" || echo "000 1")
    probes=$((probes + 1))
    code=${result%% *}
    seconds=${result##* }
    [ "$code" = "200" ] || failed=$((failed + 1))
    slowest=$(python3 -c "print(max($slowest, $seconds))")
    sleep 0.1
done
kill "$attack" 2>/dev/null || true
wait "$attack" 2>/dev/null || true
open=$(sed 's/\x1b\[[0-9;]*m//g' "$work/attack.log" | grep -aoE 'connected: *[0-9]+' | tail -1 || true)
echo "slowloris: $probes probes during the attack, $failed failed, slowest ${slowest}s ($open)"
kill -0 "$pid" 2>/dev/null || { echo "slowloris: the server died"; cat "$work/stderr.log"; exit 1; }
if [ "$failed" -ne 0 ]; then
    tail -20 "$work/attack.log"
    echo "slowloris: 0 passed, 1 failed"
    exit 1
fi
echo "slowloris: 1 passed, 0 failed"
