#!/usr/bin/env bash
# The test command: installs what is missing (build packages, and Chromium for the browser test), checks formatting, builds everything with warnings as
# errors, pulls the base model when it is not cached, then runs the whole Swift Testing suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
scripts/format.sh --lint
swift build --build-tests -Xswiftc -warnings-as-errors
# The parity tests need the real pretrained encoders: pull them (verified by SHA-256) unless they are cached.
.build/debug/vox model pull
.build/debug/vox model pull multilingual-e5-small
swift test --skip-build
