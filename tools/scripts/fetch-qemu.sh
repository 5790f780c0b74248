#!/usr/bin/env bash
# Usage: tools/scripts/fetch-qemu.sh 10.0|5.2 [DIR]
#
# Gets another QEMU beside the system's (Debian 12's 7.2), never replacing it and never touching /etc/apt:
#   10.0  QEMU 10.0 from Debian 12's suite bookworm-backports;
#   5.2   QEMU 5.2 from Debian 11's suite bullseye, with the Debian 11 libraries Debian 12 lacks.
# The packages come from the Debian archive the system's sources already name, through a private sources list
# and a private apt state folder, with `apt-get download`; they are unpacked with `dpkg-deb -x` into DIR/root.
# DIR (default: qemu/VERSION at the top of the tree, ignored by git) then holds DIR/bin with qemu-system-x86_64,
# qemu-img, qemu-io and qemu-storage-daemon: wrappers that set LD_LIBRARY_PATH, QEMU_MODULE_DIR and the firmware
# path (-L) and exec the real program (same pid). Point the tests at it with QMPC_QEMU_DIR=DIR/bin.
# Running it again once DIR is complete does nothing. Prints DIR/bin on its last line.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

usage() { echo "usage: $0 10.0|5.2 [DIR]" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
version=$1
case $version in
  10.0)
    suite=bookworm-backports
    packages=(qemu-system-x86 qemu-system-common qemu-system-data qemu-utils)
    ;;
  5.2)
    suite=bullseye
    packages=(qemu-system-x86 qemu-system-common qemu-system-data qemu-utils
              libxencall1 libxendevicemodel1 libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenhypfs1
              libxenmisc4.14 libxenstore3.0 libxentoolcore1 libxentoollog1 liburing1 libvirglrenderer1)
    ;;
  *) usage ;;
esac
dir=${2:-$root/qemu/$version}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
stamp=$dir/.complete
if [[ -f $stamp && $(cat "$stamp") == "$suite ${packages[*]}" ]]; then
  echo "$dir/bin"
  exit 0
fi

# The Debian archive the system already uses (the URI serving the plain release suite, not -security), read from
# both the one-line (.list) and the deb822 (.sources) formats.
archive_uri() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
      awk '$1 == "deb" && $2 !~ /security/ && $3 !~ /-(security|updates|backports)$/ { print $2; exit }'
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         { uri = ""; suites = ""
           for (i = 1; i <= NF; i++) {
             if ($i ~ /^URIs:/) { uri = $i; sub(/^URIs:[ \t]*/, "", uri); sub(/[ \t].*/, "", uri) }
             if ($i ~ /^Suites:/) suites = $i }
           if (uri != "" && uri !~ /security/ && suites ~ /Suites:[ \t]*[a-z]+([ \t]|$)/) { print uri; exit } }' "$f"
  done
}
uri=$(archive_uri | awk 'NR == 1')
[[ -n $uri ]] || { echo "$0: no Debian archive found in /etc/apt/sources.list*" >&2; exit 1; }
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -f $keyring ]] || { echo "$0: $keyring is missing (package debian-archive-keyring)" >&2; exit 1; }

state=$dir/apt
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$dir/debs"
echo "deb [signed-by=$keyring] $uri $suite main" >"$state/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$state/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::lists=$state/lists"
          -o "Dir::Cache=$state/cache" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
          -o APT::Sandbox::User=root)
echo "fetch-qemu: $suite from $uri into $dir" >&2
apt-get "${apt_opts[@]}" -qq update

# Each package at the version the suite has (without a version apt would pick the installed 7.2).
specs=()
for p in "${packages[@]}"; do
  v=$(apt-cache "${apt_opts[@]}" madison "$p" | awk -v s="$suite" -F' *[|] *' '$3 ~ s { print $2; exit }')
  [[ -n $v ]] || { echo "$0: $p not found in $suite" >&2; exit 1; }
  specs+=("$p=$v")
done
(cd "$dir/debs" && apt-get "${apt_opts[@]}" -qq download "${specs[@]}")

rm -rf "$dir/root" "$dir/bin"
mkdir -p "$dir/root" "$dir/bin"
for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done

# Wrappers find the unpacked tree from their own location, so DIR can be moved.
write_wrapper() {
  local name=$1 firmware=$2
  [[ -x $dir/root/usr/bin/$name ]] || { echo "fetch-qemu: $name is not in these packages" >&2; return 0; }
  cat >"$dir/bin/$name" <<EOF
#!/bin/sh
# $name from $suite, unpacked beside the system's QEMU (written by tools/scripts/fetch-qemu.sh).
tree=\$(cd "\$(dirname "\$(readlink -f "\$0")")/../root" && pwd)
export LD_LIBRARY_PATH="\$tree/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export QEMU_MODULE_DIR="\$tree/usr/lib/x86_64-linux-gnu/qemu"
exec "\$tree/usr/bin/$name" ${firmware:+-L "\$tree/usr/share/qemu"} "\$@"
EOF
  chmod +x "$dir/bin/$name"
}
write_wrapper qemu-system-x86_64 yes
write_wrapper qemu-img ""
write_wrapper qemu-io ""
write_wrapper qemu-storage-daemon ""

"$dir/bin/qemu-system-x86_64" --version | head -n1 >&2
echo "$suite ${packages[*]}" >"$stamp"
echo "$dir/bin"
