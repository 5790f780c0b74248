#!/usr/bin/env bash
# Installs the build into a temporary prefix, then builds and runs a consumer with find_package(qmpc), and checks
# the pkg-config file and the licence.
set -euo pipefail
build=$1
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
"$source_dir/check_prefix.sh" "$work/prefix" "$work"
echo "installed package found by find_package(qmpc) and pkg-config"
