#!/usr/bin/env bash
# libFuzzer targets (issue 16): builds each harness in scripts/fuzz/ with the sources it exercises, under
# AddressSanitizer, and runs it for SECONDS (default 20) from a seed corpus of the test fixtures' kind.
#   scripts/fuzz.sh [SECONDS] [TARGET…]      targets: timestamp watch-query (default: all)
# A crash leaves its input in .build/fuzz/TARGET/crash-*; the exit status is non-zero. Swift's own crash backtracer
# is turned off: under AddressSanitizer its memory reads are reported as a heap overflow that hides the real failure
# (the two inputs in scripts/fuzz/crashes/ were a failed check of the harness, now fixed, not a memory error).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(timestamp watch-query)
sources_timestamp=(Sources/VoxFeeds/Mapping/Timestamp.swift)
sources_watch_query=(Sources/VoxStream/Watch/WatchQuery.swift Sources/VoxStream/Watch/WatchQueryParser.swift
    Sources/VoxStream/Watch/WatchText.swift)
seeds_timestamp=('2026-11-28T10:00:00.000Z' 'Fri Nov 28 10:00:00 +0000 2026' '2024-02-29 23:59:60.5+05:30')
seeds_watch_query=('(@Delta OR delta) AND NOT "delta variant"' '#united OR "united airlines" -x' 'a b OR NOT (c d)')
status=0
for target in "${targets[@]}"; do
    name="${target//-/_}"
    sources="sources_${name}[@]"
    seeds="seeds_${name}[@]"
    work=".build/fuzz/$target"
    mkdir -p "$work/corpus"
    index=0
    for seed in "${!seeds}"; do
        printf '%s' "$seed" > "$work/corpus/seed-$index"
        index=$((index + 1))
    done
    echo "fuzz: building $target" >&2
    swiftc -O -sanitize=fuzzer,address -parse-as-library "scripts/fuzz/$target.swift" "${!sources}" \
        -o "$work/fuzz-$target" 2> >(grep -v "Cannot export local symbol" >&2)
    echo "fuzz: running $target for ${seconds}s" >&2
    if ! (cd "$work" && ASAN_OPTIONS=symbolize=0 SWIFT_BACKTRACE=enable=no "./fuzz-$target" corpus -max_total_time="$seconds" \
        -max_len=4096 -print_final_stats=1 2>&1 | grep -E "^(Done|stat::number_of_executed_units|==[0-9]+==ERROR)"); then
        :
    fi
    if ls "$work"/crash-* > /dev/null 2>&1; then
        echo "fuzz: $target crashed; inputs in $work" >&2
        status=1
    fi
done
exit $status
