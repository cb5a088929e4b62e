#!/usr/bin/env bash
# Fills a private "deps root" with Debian's target-architecture libraries for cross builds, by
# extracting their .debs, never installing them: libxnnpack0/libpthreadpool0 are not Multi-Arch: same,
# so `apt-get install ...:arm64` would remove the amd64 copies, and an installed libc6:arm64 mixes
# with the cross libc that `qemu-aarch64 -L /usr/aarch64-linux-gnu` loads.
# Idempotent: when DEST already holds this package list it does nothing. It adds the foreign dpkg
# architecture and runs `apt-get update` only when apt does not know the packages yet (needs root then).
#
# Usage: scripts/fetch-arm64-deps.sh [--arch arm64|armhf] [DEST]
#   default DEST: build/arm64-deps (armhf: build/armhf-deps); toolchains/*.cmake read it as
#   ARM64_DEPS_ROOT / ARMV7_DEPS_ROOT.
set -euo pipefail
cd "$(dirname "$0")/.."

ARCH=arm64
if [ "${1:-}" = "--arch" ]; then ARCH=${2:?--arch needs arm64 or armhf}; shift 2; fi
case "$ARCH" in
  arm64) ;;
  armhf) ;;
  *) echo "fetch-arm64-deps: unknown --arch '$ARCH' (arm64 or armhf)" >&2; exit 2 ;;
esac
DEST=${1:-build/$ARCH-deps}

# Target libraries the project links (XNNPACK and its two dependencies, FlatBuffers with its CMake
# config) plus the architecture-independent headers, so the cross build never reads host /usr/include.
PKGS=(libxnnpack0 libxnnpack-dev libpthreadpool0 libpthreadpool-dev libcpuinfo0 libcpuinfo-dev
      libflatbuffers2 libflatbuffers-dev flatbuffers-compiler-dev
      libbenchmark1debian libbenchmark-dev libstb0 libstb-dev)   # these two: benchmarks, image tools
TARGET_PKGS=("${PKGS[@]/%/:$ARCH}")
ALL_PKGS=("${TARGET_PKGS[@]}" libeigen3-dev doctest-dev)

stamp="$DEST/.incept-deps"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${ALL_PKGS[*]}" ]; then exit 0; fi

SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO=sudo
if ! dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
  echo "fetch-arm64-deps: dpkg --add-architecture $ARCH"
  $SUDO dpkg --add-architecture "$ARCH"
fi
if ! apt-cache show "${TARGET_PKGS[0]}" >/dev/null 2>&1; then
  echo "fetch-arm64-deps: apt-get update (package lists for $ARCH)"
  # A mirror hiccup on some unrelated index makes apt-get update fail as a whole: judge by our lists.
  $SUDO apt-get update -qq || true
  apt-cache show "${TARGET_PKGS[0]}" >/dev/null 2>&1 ||
    { echo "fetch-arm64-deps: apt knows no ${TARGET_PKGS[0]} after apt-get update" >&2; exit 1; }
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
chmod 755 "$TMP"; chown _apt "$TMP" 2>/dev/null || true   # lets apt download without its "unsandboxed" note
( cd "$TMP" && apt-get download -qq "${ALL_PKGS[@]}" )
rm -rf "$DEST/usr"   # (toolchains/ keep their qemu guest roots beside it, in DEST/qemu-root)
mkdir -p "$DEST"
for d in "$TMP"/*.deb; do dpkg-deb -x "$d" "$DEST"; done
# FlatBuffers' CMake config (FlatcTargets.cmake) insists that <prefix>/bin/flatc exists: point it at
# the host flatc (flatbuffers-compiler), which is the one code generation needs anyway.
if [ -x /usr/bin/flatc ]; then mkdir -p "$DEST/usr/bin" && ln -sf /usr/bin/flatc "$DEST/usr/bin/flatc"; fi
echo "${ALL_PKGS[*]}" > "$stamp"
echo "fetch-arm64-deps: $ARCH libraries extracted to $DEST"
