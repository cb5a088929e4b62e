#!/usr/bin/env bash
# Stripped sizes of what incept ships: the shared runtime library without and with the XNNPACK backend,
# and each command-line tool (linked against the static library, as shipped standalone). Release
# builds in build/sizes-*; prints a table (bytes and KiB). XNNPACK and pthreadpool themselves are
# Debian's shared libraries and are listed separately.
# Usage: bench/sizes.sh [--toolchain FILE]   e.g. --toolchain toolchains/aarch64-linux-gnu.cmake
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
TOOLCHAIN=""
if [ "${1:-}" = "--toolchain" ]; then TOOLCHAIN=$(realpath "$2"); shift 2; fi
[ $# -eq 0 ] || { echo "usage: bench/sizes.sh [--toolchain FILE]" >&2; exit 2; }

suffix=""; strip_cmd=${STRIP:-strip}; size_cmd=${SIZE:-size}
if [ -n "$TOOLCHAIN" ]; then
  suffix="-$(basename "$TOOLCHAIN" .cmake)"
  case "$TOOLCHAIN" in *aarch64*) strip_cmd=${STRIP:-aarch64-linux-gnu-strip}; size_cmd=${SIZE:-aarch64-linux-gnu-size} ;;
    *armv7*) strip_cmd=${STRIP:-arm-linux-gnueabihf-strip}; size_cmd=${SIZE:-arm-linux-gnueabihf-size} ;; esac
fi

TOOLS=(incept-run incept-classify incept-bench incept-inspect)
build() {   # build <dir> <cmake -D args...>; prints nothing but errors
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DINCEPT_BUILD_TESTS=OFF -DINCEPT_BUILD_EXAMPLES=OFF \
        ${TOOLCHAIN:+-DCMAKE_TOOLCHAIN_FILE=$TOOLCHAIN} "$@" >/dev/null
}
# stripped <file>: "<file bytes> <text+data bytes>" of a stripped copy. The file size includes the
# padding between segments, which depends on the target's page size (64 KiB on aarch64 Linux);
# text + data (binutils' size) does not.
stripped() {
  local tmp; tmp=$(mktemp); "$strip_cmd" -o "$tmp" "$1"
  echo "$(stat -c %s "$tmp") $("$size_cmd" "$tmp" | awk 'NR == 2 { print $1 + $2 }')"; rm -f "$tmp"
}
row() {
  set -- "$1" $2
  printf "| %-48s | %9s | %7.1f | %11s | %7.1f |\n" "$1" "$2" "$(awk -v b="$2" 'BEGIN { print b / 1024 }')" \
         "$3" "$(awk -v b="$3" 'BEGIN { print b / 1024 }')"
}

echo "building (release, $JOBS jobs${TOOLCHAIN:+, $TOOLCHAIN}) ..." >&2
build "build/sizes-shared-noxnn$suffix" -DINCEPT_SHARED=ON -DINCEPT_WITH_XNNPACK=OFF -DINCEPT_BUILD_TOOLS=OFF -DINCEPT_BUILD_BENCHMARKS=OFF
cmake --build "build/sizes-shared-noxnn$suffix" -j "$JOBS" --target incept >/dev/null
build "build/sizes-shared-xnn$suffix" -DINCEPT_SHARED=ON -DINCEPT_WITH_XNNPACK=ON -DINCEPT_BUILD_TOOLS=OFF -DINCEPT_BUILD_BENCHMARKS=OFF
cmake --build "build/sizes-shared-xnn$suffix" -j "$JOBS" --target incept >/dev/null
build "build/sizes-static$suffix" -DINCEPT_BUILD_TOOLS=ON -DINCEPT_BUILD_BENCHMARKS=ON
targets=()
for t in "${TOOLS[@]}"; do
  ninja -C "build/sizes-static$suffix" -t query "$t" >/dev/null 2>&1 && targets+=("$t")
done
cmake --build "build/sizes-static$suffix" -j "$JOBS" --target "${targets[@]}" >/dev/null

printf '| %-48s | %9s | %7s | %11s | %7s |\n' "stripped${suffix:+ ($suffix)}" "file" KiB "text+data" KiB
printf '|%s|%s|%s|%s|%s|\n' "--------------------------------------------------" "-----------" "---------" \
       "-------------" "---------"
lib=$(readlink -f "build/sizes-shared-noxnn$suffix/lib/libincept.so")
row "libincept.so, ref + eigen backends" "$(stripped "$lib")"
lib=$(readlink -f "build/sizes-shared-xnn$suffix/lib/libincept.so")
row "libincept.so, ref + eigen + xnnpack backends" "$(stripped "$lib")"
for t in "${targets[@]}"; do
  row "$t (static libincept, xnnpack)" "$(stripped "build/sizes-static$suffix/bin/$t")"
done
xnn=$(grep -h '^XNNPACK_LIBRARY:' "build/sizes-shared-xnn$suffix/CMakeCache.txt" | cut -d= -f2)
ptp=$(grep -h '^PTHREADPOOL_LIBRARY:' "build/sizes-shared-xnn$suffix/CMakeCache.txt" | cut -d= -f2)
[ -n "$xnn" ] && row "$(basename "$(readlink -f "$xnn")") (Debian, shared by the tools)" "$(stripped "$(readlink -f "$xnn")")"
[ -n "$ptp" ] && row "$(basename "$(readlink -f "$ptp")") (Debian)" "$(stripped "$(readlink -f "$ptp")")"
