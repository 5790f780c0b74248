#!/usr/bin/env bash
# Installs the dependencies (when missing) and builds qmpc into ./build (or $QMPC_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${QMPC_BUILD_DIR:-$root/build}
"$root/tools/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${QMPC_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build" -j"$(nproc)"
