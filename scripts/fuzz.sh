#!/usr/bin/env bash
# libFuzzer targets (issue 16): builds each harness in scripts/fuzz/ with the sources it exercises, under
# AddressSanitizer, and runs it for SECONDS (default 20) from a seed corpus of the test fixtures' kind.
#   scripts/fuzz.sh [SECONDS] [TARGET…]      targets: timestamp watch-query feed-line gzip safetensors
#                                           wordpiece checkpoint (default: all)
# The checkpoint target resumes the pipeline from each input as its state.json, so it needs most of the package:
# SwiftPM builds it (scripts/fuzz/checkpoint/) in .build/fuzz-package with every Swift module instrumented, and its
# seed is a real checkpoint that the plain build of the same harness writes.
# A crash leaves its input in .build/fuzz/TARGET/crash-*; the exit status is non-zero. Swift's own crash backtracer
# is turned off: under AddressSanitizer its memory reads are reported as a heap overflow that hides the real failure
# (the two inputs in scripts/fuzz/crashes/ were a failed check of the harness, now fixed, not a memory error).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(timestamp watch-query feed-line gzip safetensors wordpiece checkpoint)
sources_timestamp=(Sources/VoxFeeds/Mapping/Timestamp.swift)
sources_watch_query=(Sources/VoxStream/Watch/WatchQuery.swift Sources/VoxStream/Watch/WatchQueryParser.swift
    Sources/VoxStream/Watch/WatchText.swift)
sources_feed_line=(Sources/VoxFeeds/Framing/*.swift Sources/VoxFeeds/Output/JSONText.swift Sources/VoxFeeds/Post.swift Sources/VoxFeeds/LanguageSource.swift Sources/VoxFeeds/DeadLetter.swift
    Sources/VoxFeeds/FeedError.swift)
for file in Sources/VoxFeeds/Mapping/*.swift; do  # all but the registry, which needs the bundled profiles' module
    [ "$(basename "$file")" = ProfileRegistry.swift ] || sources_feed_line+=("$file")
done
sources_gzip=(Sources/VoxFeeds/Decoding/*.swift Sources/VoxFeeds/Framing/*.swift Sources/VoxFeeds/FeedError.swift)
flags_gzip=(-I Sources/CZlib -lz)
seeds_gzip=('{"text":"plain"}')
sources_safetensors=(Sources/VoxModel/Weights/SafeTensors.swift Sources/VoxModel/ModelError.swift
    Sources/VoxModel/ErrorText.swift)
seeds_safetensors=()
sources_wordpiece=(Sources/VoxModel/Tokenizer/BertPreTokenizer.swift Sources/VoxModel/Tokenizer/Vocabulary.swift
    Sources/VoxModel/Tokenizer/WordPieceTokenizer.swift Sources/VoxModel/Tokenizer/TextTokenizer.swift
    Sources/VoxModel/Tokenizer/UnigramTokenizer.swift Sources/VoxModel/Tokenizer/PieceTrie.swift
    Sources/VoxModel/Tokenizer/PrecompiledCharsmap.swift Sources/VoxModel/Store/EncoderDescription.swift
    Sources/VoxModel/ModelError.swift Sources/VoxModel/ErrorText.swift)
seeds_wordpiece=('I love how my flight got delayed 5 hours. Great job @united' 'Ça va? 東京 🙂 naïve café')
export VOX_FUZZ_TOKENIZER="$PWD/Tests/VoxModelTests/Fixtures/tokenizer.json"
seeds_timestamp=('2026-11-28T10:00:00.000Z' 'Fri Nov 28 10:00:00 +0000 2026' '2024-02-29 23:59:60.5+05:30')
seeds_feed_line=('{"text":"a"}')
seed_files_feed_line=(Tests/VoxFeedsTests/Fixtures/*.jsonl)
seeds_watch_query=('(@Delta OR delta) AND NOT "delta variant"' '#united OR "united airlines" -x' 'a b OR NOT (c d)')
export VOX_FUZZ_PROFILES="$PWD/Connectors/Profiles"
status=0
for target in "${targets[@]}"; do
    name="${target//-/_}"
    sources="sources_${name}[@]"
    seeds="seeds_${name}[@]"
    work=".build/fuzz/$target"
    mkdir -p "$work/corpus"
    rm -f "$work"/crash-*  # an earlier run's finding (keep a copy to study it)
    index=0
    for seed in ${!seeds+"${!seeds}"}; do
        printf '%s' "$seed" > "$work/corpus/seed-$index"
        index=$((index + 1))
    done
    if [ "$target" = gzip ]; then  # two gzip members, then a member cut short
        { gzip -c Tests/VoxFeedsTests/Fixtures/x-v2.jsonl; gzip -c Tests/VoxFeedsTests/Fixtures/reddit.jsonl; } \
            > "$work/corpus/seed-members"
        gzip -c Tests/VoxFeedsTests/Fixtures/mastodon.jsonl | head -c 200 > "$work/corpus/seed-cut"
    fi
    if [ "$target" = safetensors ]; then  # a valid two-tensor file: u64 header length, JSON header, data
        header='{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[1,1],"data_offsets":[8,16]},"__metadata__":{"format":"pt"}}'
        length=${#header}
        { printf "$(printf '\\x%02x' $((length & 255)) $((length >> 8 & 255)) 0 0 0 0 0 0)"; printf '%s' "$header"
            printf '\x00\x00\x80\x3f\x00\x00\x00\x40\x07\x00\x00\x00\x00\x00\x00\x00'; } > "$work/corpus/seed-valid"
    fi
    seed_files="seed_files_${name}[@]"
    for file in ${!seed_files+"${!seed_files}"}; do
        cp "$file" "$work/corpus/$(basename "$file")"
    done
    echo "fuzz: building $target" >&2
    max_len=4096
    extra=()
    asan=""
    if [ "$target" = checkpoint ]; then
        # The pipeline's tasks and the Swift runtime's caches outlive an input: leaks are not what this target hunts.
        extra=(-detect_leaks=0)
        asan=":detect_leaks=0"
        swift build --product vox-fuzz-checkpoint 2>&1 | grep -E "error" >&2 || true
        .build/debug/vox-fuzz-checkpoint --seed "$work/corpus/seed-state"
        swift build --product vox-fuzz-checkpoint --scratch-path .build/fuzz-package -Xswiftc -sanitize=fuzzer,address \
            -Xswiftc -DVOX_FUZZ -Xlinker --export-dynamic 2>&1 | grep -E "error" >&2 || true
        cp .build/fuzz-package/debug/vox-fuzz-checkpoint "$work/fuzz-$target"
        max_len=65536
    else
        flags="flags_${name}[@]"
        swiftc -O -sanitize=fuzzer,address -parse-as-library "scripts/fuzz/$target.swift" "${!sources}" \
            ${!flags+"${!flags}"} -o "$work/fuzz-$target" 2> >(grep -v "Cannot export local symbol" >&2)
    fi
    echo "fuzz: running $target for ${seconds}s" >&2
    if ! (cd "$work" && ASAN_OPTIONS="symbolize=0$asan" SWIFT_BACKTRACE=enable=no "./fuzz-$target" corpus -seed=1 -max_total_time="$seconds" \
        -max_len="$max_len" ${extra[@]+"${extra[@]}"} -print_final_stats=1 2>&1 | grep -E "^(Done|stat::number_of_executed_units|==[0-9]+==ERROR)"); then
        :
    fi
    if ls "$work"/crash-* > /dev/null 2>&1; then
        echo "fuzz: $target crashed; inputs in $work" >&2
        status=1
    fi
done
exit $status
