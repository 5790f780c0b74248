#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs them all, then prints one table: "name: value unit" for every figure,
# then the ratios against the baselines each benchmark ran in the same process or script, then each goal of
# docs/performance.md with its figure and whether it was met.
#
#   tools/scripts/run-benchmarks.sh            the full set (about 8 minutes; needs ~3 GiB of disk and
#                                               ~12 GiB of RAM for 256 bare QEMUs)
#   tools/scripts/run-benchmarks.sh --quick    smoke run: small images, few rounds (under a minute)
#
# Options: --quick, --no-build, --only NAME (roundtrip, proxy, reaction, flood, micro, mirror, scale; repeatable),
#          --out FILE (also write the table to FILE).
# Environment: QMPC_BENCH_BUILD_DIR (default build-bench), QMPC_BENCH_DIR (scratch directory for images,
#              default /var/tmp), QMPC_BENCH_QEMU (default qemu-system-x86_64), QMPC_QEMU_DIR
#              (a QEMU installation put first in PATH, e.g. from tools/scripts/fetch-qemu.sh).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${QMPC_BENCH_BUILD_DIR:-$root/build-bench}
# QMPC_QEMU_DIR: a QEMU installation (qemu-system-x86_64, qemu-img, qemu-io) to use instead of the one on PATH.
if [ -n "${QMPC_QEMU_DIR:-}" ]; then export PATH="$QMPC_QEMU_DIR:$PATH"; fi
quick=() build_first=1 only=() out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick) ;;
    --no-build) build_first=0 ;;
    --only) only+=("$2"); shift ;;
    --out) out=$2; shift ;;
    *) echo "usage: $0 [--quick] [--no-build] [--only NAME]... [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
all=(roundtrip proxy reaction flood micro mirror scale)
scale_machines=256
[ ${#quick[@]} -gt 0 ] && scale_machines=8
[ ${#only[@]} -gt 0 ] || only=("${all[@]}")

if [ "$build_first" = 1 ]; then
  # -O2: GCC 12's -O3 raises a false -Wrestrict inside libstdc++'s string code, which -Werror turns into an error.
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
        -DQMPC_BUILD_BENCH=ON >/dev/null
  targets=()
  for b in "${only[@]}"; do targets+=(--target "${b}_bench"); done
  cmake --build "$build" -j"$(nproc)" "${targets[@]}" >/dev/null
fi

# The goals: "figure operator value unit". The flood is compared per CPU second of the client's thread (the
# machine is shared: wall-clock rates move with the load); the scale goals are for 256 machines.
goals=(
  "flood.qmpc_vs_rapidjson_cpu >= 0.9 x"
  "flood.qmpc_peak_rss <= 16 MiB"
  "flood.unwanted_qmpc >= 5 Mevents/s"
  "roundtrip.sequential.qmpc_vs_raw >= 0.97 x"
  "reaction.runner_ready_to_complete <= 30 us"
  "scale.machines_pivoted >= $scale_machines machines"
  "scale.reaction_p99 <= 5000 us"
)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
results=$(mktemp)
trap 'rm -f "$results"' EXIT
run() {
  local name=$1; shift
  echo "== $name" >&2
  if ! "$build/bench/${name}_bench" "$@" | tee -a "$results" >&2; then
    echo "!! $name failed" >&2
    echo "$name.FAILED: 1 run" >>"$results"
  fi
}
for b in "${only[@]}"; do
  case "$b" in
    micro)
      echo "== micro" >&2
      min_time=0.5
      [ ${#quick[@]} -gt 0 ] && min_time=0.05
      # CSV: name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,...
      "$build/bench/micro_bench" --benchmark_min_time=$min_time --benchmark_format=csv 2>/dev/null |
        awk -F, 'NR > 1 && $1 ~ /^"BM_/ { gsub(/"/, "", $1); sub(/^BM_/, "", $1); gsub(/\//, "_", $1);
                 printf "micro.%s: %.1f ns\n", $1, $4;
                 if ($7 != "") printf "micro.%s_rate: %.2f Mitems/s\n", $1, $7 / 1e6 }' | tee -a "$results" >&2
      ;;
    scale) if [ ${#quick[@]} -gt 0 ]; then run scale --quick; else run scale --machines "$scale_machines"; fi ;;
    roundtrip|proxy|reaction|flood|mirror) run "$b" "${quick[@]}" ;;
    *) echo "unknown benchmark $b" >&2; exit 2 ;;
  esac
done

{
  echo "# qmpc benchmarks $(date -u +%Y-%m-%dT%H:%MZ)${quick:+ (quick)}"
  echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)," \
       "load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "# qemu: $(${QMPC_BENCH_QEMU:-qemu-system-x86_64} --version | head -1)"
  echo "## figures"
  grep -E '^[a-z_.0-9A-Z]+: ' "$results" | grep -v ' x$' | column -t -s' ' -o' ' || true
  echo "## ratios (against the baseline run alongside)"
  grep -E '^[a-z_.0-9A-Z]+: .* x$' "$results" | column -t -s' ' -o' ' || true
  echo "## goals (docs/performance.md): figure, goal, verdict"
  for g in "${goals[@]}"; do
    read -r name op want unit <<<"$g"
    have=$(awk -v n="$name:" '$1 == n { print $2; exit }' "$results")
    if [ -z "$have" ]; then
      verdict="not run"
    else
      verdict=$(awk -v h="$have" -v w="$want" -v op="$op" \
                  'BEGIN { ok = (op == ">=") ? (h + 0 >= w + 0) : (h + 0 <= w + 0); print ok ? "met" : "missed" }')
    fi
    printf '%-36s %12s %-9s goal %s %s %s\n' "$name" "${have:--}" "$unit" "$op" "$want" "$verdict"
  done
} | tee ${out:+"$out"}
if grep -q FAILED "$results"; then exit 1; fi
