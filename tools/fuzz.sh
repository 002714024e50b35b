#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang under ASan+UBSan in
# build-fuzz/ and runs each for a bounded time on its committed seeds and
# regression inputs. Prints, per target, the executions, the coverage
# (libFuzzer's edges and features) and whether it crashed; exits 1 if any
# target crashed, leaving the input under build-fuzz/fuzz-work/<target>/
# (add it to tests/fuzz/regressions/<target>/ once fixed).
#
#   bash tools/fuzz.sh                     # every target, 15 s each (CI)
#   bash tools/fuzz.sh --seconds 3600 oip_infer page_frames   # long runs
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_JOBS (parallel
# libFuzzer jobs per target, default 1).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
seconds=15
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds)
      seconds=$2
      shift 2
      ;;
    -h | --help)
      sed -n '2,14p' "$0"
      exit 0
      ;;
    *)
      targets+=("$1")
      shift
      ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=(oip_infer page_frames config webdriver
  onnx_signature media node_handshake json_input oip_paths)
build=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${FUZZ_JOBS:-1}

command -v clang++ >/dev/null || {
  echo "fuzz: clang++ is missing (apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
}
if [ ! -f "$build/build.ninja" ]; then
  CXX=clang++ meson setup "$build" >/dev/null
fi
names=()
for t in "${targets[@]}"; do names+=("tests/fuzz/fuzz_$t"); done
ninja -C "$build" "${names[@]}" >/dev/null

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
failed=0
printf '%-16s %12s %8s %8s %s\n' target executions edges features result
for t in "${targets[@]}"; do
  work="$build/fuzz-work/$t"
  rm -rf "$work"
  mkdir -p "$work/corpus"
  inputs=("$work/corpus" "tests/fuzz/corpus/$t")
  [ -d "tests/fuzz/regressions/$t" ] && inputs+=("tests/fuzz/regressions/$t")
  max_len=65536
  [ "$t" = onnx_signature ] && max_len=262144
  status=0
  "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
    -jobs="$jobs" -workers="$jobs" \
    -artifact_prefix="$work/" "${inputs[@]}" >"$work/log.txt" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log.txt" \
    | awk '{s += $1} END {print s + 0}')
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$work/log.txt" | tail -n 1)
  edges=$(echo "$cov" | awk '{print $2}')
  features=$(echo "$cov" | awk '{print $4}')
  result=ok
  if [ "$status" -ne 0 ]; then
    result="CRASH (see $work/log.txt)"
    failed=1
  fi
  printf '%-16s %12s %8s %8s %s\n' "$t" "$execs" "${edges:-?}" \
    "${features:-?}" "$result"
done
exit "$failed"
