#!/usr/bin/env bash
# Usage: check_prefix.sh PREFIX WORK
# Checks an installed qmpc under PREFIX: the licence is there, a consumer built with find_package(qmpc) (in WORK)
# runs, and the pkg-config file gives the headers and the libraries.
set -euo pipefail
prefix=$1 work=$2
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ -f "$prefix/share/doc/qmpc/LICENSE" ] || { echo "the licence is not installed in share/doc/qmpc"; exit 1; }
cmake -S "$source_dir/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
out=$("$work/consumer/consumer")
[ "$out" = '{"execute":"query-status","id":1}' ] || { echo "consumer printed: $out"; exit 1; }
pcpath="$prefix/lib/pkgconfig:$prefix/lib/x86_64-linux-gnu/pkgconfig"
incdir=$(PKG_CONFIG_PATH="$pcpath" pkg-config --variable=includedir qmpc)
libs=$(PKG_CONFIG_PATH="$pcpath" pkg-config --libs qmpc)
[ -f "$incdir/qmp/session.hpp" ] && [ -f "$incdir/mirror/mirror_job.hpp" ] || { echo "pkg-config includedir $incdir lacks the headers"; exit 1; }
case "$libs" in
  *"-lqmpc_mirror"*"-lqmpc_qmp"*) ;;
  *) echo "pkg-config --libs qmpc gave: $libs"; exit 1 ;;
esac
