#!/usr/bin/env bash
# The unit, fake and qemu tests again in a clang build with AddressSanitizer and UndefinedBehaviorSanitizer (any
# report fails the test: -fno-sanitize-recover=all, a distinct exit code, no suppressions), then a short run of each
# fuzz target (ctest -L fuzz, QMPC_FUZZ_SECONDS each, default 20). One build serves both; benchmarks are off.
# Builds into ./build-sanitizers (or $QMPC_SANITIZER_BUILD_DIR). Exits non-zero when a test or a fuzz target fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${QMPC_SANITIZER_BUILD_DIR:-$root/build-sanitizers}
"$root/tools/scripts/install-deps.sh" test

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
start=$SECONDS
# Line tables only: stack traces that still name file and line. -O0 (QMPC_SANITIZER_FLAGS) compiles in half the
# time of -O1; with precompiled headers, the build takes a third of the CPU time.
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="${QMPC_SANITIZER_FLAGS:--O0 -gline-tables-only}" -DQMPC_PCH=ON -DQMPC_WERROR=ON \
      -DQMPC_BUILD_BENCH=OFF -DQMPC_BUILD_FUZZ=ON \
      -DQMPC_SANITIZE=address,undefined -DQMPC_FUZZ_SECONDS="${QMPC_FUZZ_SECONDS:-20}" >/dev/null
cmake --build "$build" -j"$(nproc)"
built=$SECONDS

# A sanitizer report exits with 86, a code no test expects of qmpc.
export ASAN_OPTIONS=detect_leaks=1:exitcode=86:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86
if [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer; fi
cd "$build"
ctest --output-on-failure --timeout 300 -j"$(nproc)" -L 'unit|fake|qemu'
tested=$SECONDS
ctest --output-on-failure -j"$(nproc)" -L fuzz
echo "test-sanitizers: build $((built - start)) s, tests $((tested - built)) s, fuzz smoke $((SECONDS - tested)) s"
