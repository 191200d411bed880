#!/usr/bin/env bash
# Fuzzes the HTTP request parser with libFuzzer + AddressSanitizer for SECONDS (default 60).
# Fails (non-zero) on any crash; the crashing input is left as crash-* in fuzz/.
set -euo pipefail
seconds="${1:-60}"
cd "$(dirname "$0")/.."
# -sanitize=fuzzer must reach the Swift compile step too, or nothing is instrumented for coverage.
swift build --scratch-path .build-fuzz --sanitize=fuzzer --sanitize=address --product RequestParserFuzzer \
    -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address 2>&1 | tail -3
mkdir -p fuzz/corpus
cp -n fuzz/seeds/* fuzz/corpus/ 2>/dev/null || true
cd fuzz
# The Swift crash reporter can hang for minutes on a sanitizer abort; ASan reports instead.
SWIFT_BACKTRACE=enable=no ../.build-fuzz/debug/RequestParserFuzzer corpus \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1 | tail -25
