#!/usr/bin/env bash
# Usage: tools/scripts/build.sh [--tool]
# Installs the dependencies (when missing) and builds qmpc into ./build (or $QMPC_BUILD_DIR): the libraries, the
# tool, the tests and the benchmarks. With --tool, only what building and running the qmpc tool needs: the build
# set of packages, no tests nor benchmarks, and the `qmpc` target alone, optimised for size without debug
# information (MinSizeRel) unless QMPC_BUILD_TYPE says otherwise: 55-70% of the CPU time of RelWithDebInfo.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${QMPC_BUILD_DIR:-$root/build}
case ${1:-} in
  "")
    "$root/tools/scripts/install-deps.sh"
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${QMPC_BUILD_TYPE:-RelWithDebInfo}" \
          -DQMPC_BUILD_TESTS=ON -DQMPC_BUILD_BENCH=ON >/dev/null
    cmake --build "$build" -j"$(nproc)"
    ;;
  --tool)
    "$root/tools/scripts/install-deps.sh" build
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${QMPC_BUILD_TYPE:-MinSizeRel}" \
          -DQMPC_BUILD_TESTS=OFF -DQMPC_BUILD_BENCH=OFF >/dev/null
    cmake --build "$build" -j"$(nproc)" --target qmpc
    ;;
  *) echo "usage: $0 [--tool]" >&2; exit 2 ;;
esac
