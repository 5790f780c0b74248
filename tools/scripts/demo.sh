#!/usr/bin/env bash
# Does all set-up (the build set of dependencies, the qmpc tool alone into ./build-demo or $QMPC_DEMO_BUILD_DIR) and
# runs the main job on its built-in default: a generated qcow2 disk on a self-launched bare QEMU, mirrored, pivoted,
# and the copy verified with qemu-img compare.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${QMPC_DEMO_BUILD_DIR:-$root/build-demo}
# QMPC_QEMU_DIR: a QEMU installation (qemu-system-x86_64, qemu-img, qemu-io) to use instead of the one on PATH.
if [ -n "${QMPC_QEMU_DIR:-}" ]; then export PATH="$QMPC_QEMU_DIR:$PATH"; fi
QMPC_BUILD_DIR=$build "$root/tools/scripts/build.sh" --tool
exec "$build/tools/qmpc/qmpc" demo "$@"
