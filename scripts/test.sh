#!/usr/bin/env bash
# The test command: installs what is missing, checks formatting, builds everything with warnings as
# errors, then runs the whole Swift Testing suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/format.sh --lint
swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build
