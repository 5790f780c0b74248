#!/usr/bin/env bash
# Usage: tools/scripts/install-deps.sh [build] [test]
# Installs the Debian 12 packages qmpc needs, only when some are missing; safe to run twice.
#   build  build the libraries and the qmpc tool, and run it (QEMU): all that tools/scripts/demo.sh needs;
#   test   in addition, the test suite, the benchmarks and the Debian package (dpkg-shlibdeps).
# With no argument, both sets.
set -euo pipefail
build_packages=(
  cmake g++ make ca-certificates
  libboost1.81-dev rapidjson-dev libspdlog-dev libcli11-dev
  pkg-config libedit-dev             # qmpc shell: libedit's line editor, found through pkg-config
  qemu-system-x86 qemu-utils
)
test_packages=(
  libgtest-dev libgmock-dev libbenchmark-dev
  tmux                               # the shell's terminal test drives qmpc shell in a tmux pane
  dpkg-dev file
  clang libclang-rt-14-dev llvm-14   # test-sanitizers.sh: clang, its sanitizer and libFuzzer runtimes, llvm-symbolizer
)
[ $# -gt 0 ] || set -- build test
packages=()
for set in "$@"; do
  case $set in
    build) packages+=("${build_packages[@]}") ;;
    test) packages+=("${test_packages[@]}") ;;
    *) echo "usage: $0 [build] [test]" >&2; exit 2 ;;
  esac
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${packages[@]}"
