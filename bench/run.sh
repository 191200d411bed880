#!/usr/bin/env bash
# Benchmarks (see bench/README.md). Installs wrk and nginx when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh wrk nginx-light
swift build -c release --product foothold
swift build -c release --product SQLiteBench
echo "== data layer"
.build/release/SQLiteBench
.build/release/SQLiteBench --full
echo "== HTTP workloads"
python3 bench/bench.py --no-build "$@"
