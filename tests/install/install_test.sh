#!/usr/bin/env bash
# `meson install` into a temporary prefix, moved after installing (the
# installed tree is relocatable); then the example host program is built
# with nothing but `pkg-config --cflags --libs webaccel` and run, and so is
# the installed CLI with the installed config, while the source and build
# trees are hidden under empty tmpfs mounts in a private mount namespace.
#
#   bash tests/install/install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
if [ "$(id -u)" -ne 0 ] || ! unshare --mount true 2>/dev/null; then
  echo "FAIL: hiding the source and build trees needs root and unshare --mount" >&2
  echo "# pass 0"
  echo "# fail 1"
  exit 1
fi
tmp=$(mktemp -d /tmp/webaccel-install-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
passed=0
failed=0
check() {
  local name=$1
  shift
  if "$@"; then
    echo "ok $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    failed=$((failed + 1))
  fi
}
option() {
  meson introspect "$build" --buildoptions \
    | /usr/bin/python3 -c "import json,sys; print(next(o['value'] for o in json.load(sys.stdin) if o['name'] == '$1'))"
}

meson install -C "$build" --destdir "$tmp/stage" --quiet >"$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log" >&2; exit 1; }
built_prefix=$(option prefix)
libdir=$(option libdir)
mv "$tmp/stage$built_prefix" "$tmp/prefix"
prefix=$tmp/prefix
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig

check "webaccel.pc names the moved prefix" \
  test "$(pkg-config --variable=prefix webaccel | xargs realpath)" = "$prefix"
check "one public header" test -f "$prefix/include/webaccel/webaccel.hpp"
check "the default config under share/webaccel" \
  test -f "$prefix/share/webaccel/webaccel.json"
cp "$src/tools/examples/embed_host.cpp" "$tmp/"
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
check "the example builds with pkg-config alone" \
  g++ -std=c++17 -Werror -Wall "$tmp/embed_host.cpp" -o "$tmp/embed_host" \
  $(pkg-config --cflags --libs webaccel)

# What runs next sees neither tree.
mkdir -p "$tmp/run"
hidden() {
  unshare --mount --propagation private /bin/sh -c '
    mount -t tmpfs none "$1" && shift
    case "$1" in "$0"/*) ;; *) mount -t tmpfs none "$1" ;; esac
    shift
    exec "$@"' "$src" "$src" "$build" env TMPDIR="$tmp/run" "$@"
}
check "the source tree is hidden" \
  hidden /bin/sh -c "test ! -e '$src/meson.build' && test ! -e '$build/build.ninja'"
if hidden "$tmp/embed_host" "an installed host" >"$tmp/example.out" 2>"$tmp/example.err"; then
  out=$(cat "$tmp/example.out")
  echo "example: $out"
  check "the example ran tiny BERT in a real browser" \
    grep -Eq '^sentence_embedding \[1,[0-9]+\] .* on chromium [0-9.]+ \((wasm|webgpu|webnn)\)$' "$tmp/example.out"
else
  cat "$tmp/example.err" >&2
  check "the example ran" false
fi
if hidden "$prefix/bin/webaccel" run --config "$prefix/share/webaccel/webaccel.json" \
  --model tiny_bert --text "installed" --json >"$tmp/cli.out" 2>"$tmp/cli.err"; then
  check "the installed CLI ran with the installed config" \
    grep -q '"browser": *"chromium"' "$tmp/cli.out"
else
  cat "$tmp/cli.err" >&2
  check "the installed CLI ran" false
fi
echo "# pass $passed"
echo "# fail $failed"
[ "$failed" -eq 0 ]
