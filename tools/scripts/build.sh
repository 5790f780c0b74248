#!/usr/bin/env bash
# Usage: tools/scripts/build.sh [--tool] [-- CMAKE_ARGS...]
# Installs the dependencies (when missing) and builds qmpc into ./build (or $QMPC_BUILD_DIR): the libraries, the
# tool, the tests and the benchmarks. With --tool, only what building and running the qmpc tool needs: the build
# set of packages, no tests nor benchmarks, and the `qmpc` target alone, optimised for size without debug
# information (MinSizeRel) unless QMPC_BUILD_TYPE says otherwise: 55-70% of the CPU time of RelWithDebInfo.
# Arguments after -- go to cmake's configure step (tools/scripts/test.sh passes its build type and -DQMPC_PCH=ON).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${QMPC_BUILD_DIR:-$root/build}
usage() { echo "usage: $0 [--tool] [-- CMAKE_ARGS...]" >&2; exit 2; }
mode=all
if [ "${1:-}" = --tool ]; then mode=tool; shift; fi
if [ $# -gt 0 ]; then
  [ "$1" = -- ] || usage
  shift
fi
case $mode in
  all)
    "$root/tools/scripts/install-deps.sh"
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${QMPC_BUILD_TYPE:-RelWithDebInfo}" \
          -DQMPC_BUILD_TESTS=ON -DQMPC_BUILD_BENCH=ON "$@" >/dev/null
    cmake --build "$build" -j"$(nproc)"
    ;;
  tool)
    "$root/tools/scripts/install-deps.sh" build
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${QMPC_BUILD_TYPE:-MinSizeRel}" \
          -DQMPC_BUILD_TESTS=OFF -DQMPC_BUILD_BENCH=OFF "$@" >/dev/null
    cmake --build "$build" -j"$(nproc)" --target qmpc
    ;;
esac
