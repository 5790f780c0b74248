#!/usr/bin/env bash
# Does all set-up (dependencies, build) and runs the whole test suite, real-QEMU tests included.
# Ends with ctest's summary; exits non-zero when any test fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${QMPC_BUILD_DIR:-$root/build}
"$root/tools/scripts/build.sh"
cd "$build"
ctest --output-on-failure --timeout 300 -j"$(nproc)" "$@"
"$root/tools/scripts/test-qemu-versions.sh"
