#!/usr/bin/env bash
# Makes the Debian package from the build with cpack, checks its control fields and contents (dpkg-deb -I, -c),
# that apt can resolve its dependencies on this system (simulated, nothing is installed), then unpacks it into a
# scratch root and checks it as an installed prefix there (consumer, pkg-config, licence) and runs its qmpc.
set -euo pipefail
build=$1
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "$*"; exit 1; }
log=$(cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/cpack" 2>&1) || fail "cpack failed: $log"
debs=("$work"/cpack/qmpc_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "cpack made no single qmpc_*.deb: ${debs[*]}"
deb=${debs[0]}

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = qmpc ] || fail "Package: $(field Package)"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture: $(field Architecture)"
depends=$(field Depends)
# The -dev packages the public headers need, and the shared libraries the tool links (from dpkg-shlibdeps).
for want in libboost1.81-dev rapidjson-dev libspdlog-dev 'libspdlog1[^,]*' 'libfmt[0-9]+' 'libstdc\+\+6' libc6; do
  grep -Eq "(^|, )$want( |,|$)" <<<"$depends" || fail "Depends lacks $want: $depends"
done

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for want in ./usr/bin/qmpc ./usr/share/man/man1/qmpc.1 ./usr/include/qmp/session.hpp ./usr/include/mirror/mirror_job.hpp \
            ./usr/lib/libqmpc_qmp.a ./usr/lib/libqmpc_mirror.a ./usr/lib/cmake/qmpc/qmpcConfig.cmake \
            ./usr/lib/cmake/qmpc/qmpcTargets.cmake ./usr/lib/pkgconfig/qmpc.pc ./usr/share/doc/qmpc/copyright; do
  grep -qxF "$want" <<<"$contents" || fail "the package lacks $want"
done
outside=$(grep -v '^\./usr/' <<<"$contents" | grep -vxF './' || true)
[ -z "$outside" ] || fail "the package installs outside /usr: $outside"
dpkg-deb -f "$deb" Description >/dev/null

# apt can satisfy Depends here (-s: a simulation, the system is not changed).
sim=$(apt-get install -s --no-install-recommends "$deb" 2>&1) || fail "apt-get install -s $deb failed: $sim"
grep -q '^Inst qmpc ' <<<"$sim" || fail "apt-get would not install qmpc: $sim"

dpkg-deb -x "$deb" "$work/root"
grep -q '^License: Expat$' "$work/root/usr/share/doc/qmpc/copyright" || fail "copyright is not in Debian's format"
"$work/root/usr/bin/qmpc" --version >/dev/null || fail "the packaged qmpc does not run"
"$source_dir/check_prefix.sh" "$work/root/usr" "$work"
echo "$(basename "$deb"): contents and dependencies as expected; a consumer builds and runs against it"
