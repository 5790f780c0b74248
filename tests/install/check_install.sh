#!/usr/bin/env bash
# Installs the build into a temporary prefix, then builds and runs a consumer with find_package(qmpc), and checks
# the pkg-config file and the licence.
set -euo pipefail
build=$1
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
[ -f "$work/prefix/share/doc/qmpc/LICENSE" ] || { echo "the licence is not installed in share/doc/qmpc"; exit 1; }
cmake -S "$source_dir/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
out=$("$work/consumer/consumer")
[ "$out" = '{"execute":"query-status","id":1}' ] || { echo "consumer printed: $out"; exit 1; }
pcpath="$work/prefix/lib/pkgconfig:$work/prefix/lib/x86_64-linux-gnu/pkgconfig"
incdir=$(PKG_CONFIG_PATH="$pcpath" pkg-config --variable=includedir qmpc)
libs=$(PKG_CONFIG_PATH="$pcpath" pkg-config --libs qmpc)
[ -f "$incdir/qmp/session.hpp" ] && [ -f "$incdir/mirror/mirror_job.hpp" ] || { echo "pkg-config includedir $incdir lacks the headers"; exit 1; }
case "$libs" in
  *"-lqmpc_mirror"*"-lqmpc_qmp"*) ;;
  *) echo "pkg-config --libs qmpc gave: $libs"; exit 1 ;;
esac
echo "installed package found by find_package(qmpc) and pkg-config"
