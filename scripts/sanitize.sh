#!/usr/bin/env bash
# Runs the Swift Testing suite under AddressSanitizer or ThreadSanitizer, built in a folder of its own
# (.build/sanitize-KIND), with the tests that run the vox binary pointed at the sanitized build of it.
# Usage: scripts/sanitize.sh address|thread [FILTER]   (FILTER: a swift test --filter expression)
# Prints the summary line and any sanitizer report; exits non-zero on a failed test or a report.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-}"
case "$kind" in
address | thread) ;;
*)
    echo "usage: scripts/sanitize.sh address|thread [FILTER]" >&2
    exit 2
    ;;
esac
filter=()
if [ -n "${2:-}" ]; then filter=(--filter "$2"); fi
scratch=".build/sanitize-$kind"
swift build --build-tests --sanitize="$kind" --scratch-path "$scratch"
swift build --product vox --sanitize="$kind" --scratch-path "$scratch"
export VOX_TEST_BINARY="$PWD/$scratch/debug/vox"
# Any report fails the run. Leak checking is off: the Swift runtime keeps its metadata caches for the process's life.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=0 ${ASAN_OPTIONS:-}"
log="$scratch/sanitize.log"
status=0
swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" "${filter[@]}" >"$log" 2>&1 || status=$?
grep -E "^(✔|✘) Test run|WARNING: ThreadSanitizer|ERROR: AddressSanitizer|SUMMARY: (Address|Thread)Sanitizer" "$log" |
    sort | uniq -c || true
if grep -qE "WARNING: ThreadSanitizer|ERROR: AddressSanitizer" "$log"; then status=1; fi
echo "sanitize $kind: exit $status (full log: $log)"
exit "$status"
