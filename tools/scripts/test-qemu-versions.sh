#!/usr/bin/env bash
# Runs the real-QEMU tests (ctest label qemu) against QEMU 5.2 and 10.0, each fetched beside the system's QEMU by
# tools/scripts/fetch-qemu.sh and chosen with QMPC_QEMU_DIR; the system's QEMU (7.2 on Debian 12) is the one the
# plain test run uses. Expects a build in ./build (or $QMPC_BUILD_DIR). Exits non-zero when any run fails.
# Usage: tools/scripts/test-qemu-versions.sh [VERSION...]   (default: 5.2 10.0)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${QMPC_BUILD_DIR:-$root/build}
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(5.2 10.0)
failed=()
for v in "${versions[@]}"; do
  bin=$("$root/tools/scripts/fetch-qemu.sh" "$v" | tail -n1)
  echo "== real-QEMU tests against $("$bin/qemu-system-x86_64" --version | head -n1)"
  if ! (cd "$build" && QMPC_QEMU_DIR=$bin ctest --output-on-failure --timeout 300 -j"$(nproc)" -L qemu); then
    failed+=("$v")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "real-QEMU tests failed against QEMU ${failed[*]}" >&2
  exit 1
fi
