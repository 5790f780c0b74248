#!/usr/bin/env bash
# Does all set-up (dependencies, build) and runs the whole test suite:
#   1. every test (unit, fake, real QEMU 7.2, install) in the GCC build ./build, ending with ctest's summary;
#   2. the real-QEMU tests again on QEMU 5.2 and 10.0 (tools/scripts/test-qemu-versions.sh);
#   3. the unit, fake and real-QEMU tests in a clang ASan+UBSan build, then a short run of each fuzz target
#      (tools/scripts/test-sanitizers.sh, which can also be run on its own); QMPC_SANITIZERS=0 skips this stage.
# The build of stage 1 is optimised (-O2) without debug information and with precompiled headers (QMPC_PCH): the
# least CPU time for a whole build that tests the code as it ships.
# Arguments go to the first ctest run (e.g. -L unit). Exits non-zero when any stage fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${QMPC_BUILD_DIR:-$root/build}
start=$SECONDS
"$root/tools/scripts/build.sh" -- -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DQMPC_PCH=ON -DQMPC_WERROR=ON
cd "$build"
ctest --output-on-failure --timeout 300 -j"$(nproc)" "$@"
stage1=$SECONDS
"$root/tools/scripts/test-qemu-versions.sh"
stage2=$SECONDS
if [ "${QMPC_SANITIZERS:-1}" != 0 ]; then "$root/tools/scripts/test-sanitizers.sh"; fi
echo "test.sh: build and tests $((stage1 - start)) s, QEMU 5.2 and 10.0 $((stage2 - stage1)) s," \
     "sanitizers and fuzzing $((SECONDS - stage2)) s"
