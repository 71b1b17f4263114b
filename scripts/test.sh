#!/usr/bin/env bash
# The test command: installs what is missing (build packages, and Chromium for the browser test), checks formatting, builds everything with warnings as
# errors, pulls the base model when it is not cached, runs the whole Swift Testing suite, then gives every libFuzzer
# target a short smoke run (scripts/fuzz.sh; set VOX_FUZZ_SECONDS=0 to skip it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
scripts/format.sh --lint
swift build --build-tests -Xswiftc -warnings-as-errors
# What scripts/install.sh installs (the install test runs it with --no-build: SwiftPM cannot build during swift test).
swift build -c release --product vox --static-swift-stdlib
swift build --product generate-manual
# The parity tests need the real pretrained encoders: pull them (verified by SHA-256) unless they are cached.
.build/debug/vox model pull
.build/debug/vox model pull multilingual-e5-small
swift test --skip-build
fuzz_seconds="${VOX_FUZZ_SECONDS:-10}"
if [ "$fuzz_seconds" -gt 0 ]; then scripts/fuzz.sh "$fuzz_seconds"; fi
