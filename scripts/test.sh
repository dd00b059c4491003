#!/usr/bin/env bash
# test.sh: installs what the tests need (apt, a Python venv with the oracles, test photos),
# builds and runs the whole test suite, then the FrameRing stress tests under ThreadSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh --tests
export SHARPCAM_PYTHON="$PWD/.build-venv/bin/python"
export SHARPCAM_PHOTOS="$PWD/.data/photos"
swift build --build-tests
swift test --skip-build --parallel
echo "test.sh: ThreadSanitizer run of the FrameRing tests" >&2
TSAN_OPTIONS="halt_on_error=1" swift test --sanitize=thread --scratch-path .build-tsan --filter FrameRingTests
echo "test.sh: all tests passed" >&2
