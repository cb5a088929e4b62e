#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libraries the incept runtime needs, for Android, one prefix per ABI, into
# examples/android/android-deps/ (the Gradle property inceptDeps; app/CMakeLists.txt reads it):
#   pthreadpool, FlatBuffers (and a flatc for this machine from the same sources), Eigen, and
#   XNNPACK (optional) at the versions Debian 12 ships, which the runtime is built and tested with.
# Needs git, cmake >= 3.22, ninja, a C++ compiler for this machine, network access, and an Android
# NDK r23 or newer in ANDROID_NDK_HOME (Android Studio: SDK Manager > SDK Tools > NDK).
#
#   ANDROID_NDK_HOME=~/Android/Sdk/ndk/26.3.11579264 examples/android/build-deps.sh
#   examples/android/build-deps.sh --no-xnnpack arm64-v8a        # eigen backend only, one ABI
#
# Variables: INCEPT_ANDROID_DEPS (output folder), ANDROID_API (default 24, the app's minSdk).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${INCEPT_ANDROID_DEPS:-$here/android-deps}
ndk=${ANDROID_NDK_HOME:-${ANDROID_NDK_ROOT:-}}
api=${ANDROID_API:-24}
xnnpack=1
abis=()
for a in "$@"; do
  case $a in
    --no-xnnpack) xnnpack=0 ;;
    -h | --help) sed -n 3,13p "$0"; exit 0 ;;
    *) abis+=("$a") ;;
  esac
done
[ ${#abis[@]} -gt 0 ] || abis=(arm64-v8a armeabi-v7a)
if [ ! -f "$ndk/build/cmake/android.toolchain.cmake" ]; then
  echo "build-deps.sh: set ANDROID_NDK_HOME to an Android NDK r23 or newer (got '$ndk')" >&2
  exit 2
fi
llvm_ars=("$ndk"/toolchains/llvm/prebuilt/*/bin/llvm-ar)
llvm_ar=${llvm_ars[0]}
src=$out/src
mkdir -p "$src"

step() { printf '\n== %s\n' "$*"; }

# name, repository, tag or commit (Debian 12: flatbuffers 2.0.8, eigen 3.4.0,
# pthreadpool 0.0~git20210507.1787867, xnnpack 0.0~git20220216.ae108ef).
fetch() {
  if [ ! -d "$src/$1/.git" ]; then
    git clone --quiet "$2" "$src/$1"
  fi
  git -C "$src/$1" checkout --quiet "$3"
}
step "sources -> $src"
fetch flatbuffers https://github.com/google/flatbuffers.git v2.0.8
fetch eigen https://gitlab.com/libeigen/eigen.git 3.4.0
fetch pthreadpool https://github.com/Maratyszcza/pthreadpool.git 1787867
if [ $xnnpack = 1 ]; then
  fetch XNNPACK https://github.com/google/XNNPACK.git ae108ef
fi

step "flatc for this machine -> $out/host/bin/flatc"
cmake -S "$src/flatbuffers" -B "$out/build/host/flatbuffers" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DFLATBUFFERS_BUILD_TESTS=OFF -DFLATBUFFERS_BUILD_FLATLIB=OFF -DFLATBUFFERS_BUILD_FLATHASH=OFF >/dev/null
cmake --build "$out/build/host/flatbuffers" --target flatc
mkdir -p "$out/host/bin"
cp "$out/build/host/flatbuffers/flatc" "$out/host/bin/flatc"

step "Eigen (headers and CMake package)"
cmake -S "$src/eigen" -B "$out/build/host/eigen" -G Ninja -DBUILD_TESTING=OFF -DEIGEN_BUILD_DOC=OFF \
  -DEIGEN_BUILD_PKGCONFIG=OFF >/dev/null

for abi in "${abis[@]}"; do
  prefix=$out/$abi
  build=$out/build/$abi
  android=(-G Ninja -DCMAKE_TOOLCHAIN_FILE="$ndk/build/cmake/android.toolchain.cmake" -DANDROID_ABI="$abi"
           -DANDROID_PLATFORM="android-$api" -DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON)
  mkdir -p "$prefix/include" "$prefix/lib"

  step "$abi: Eigen"
  cmake --install "$out/build/host/eigen" --prefix "$prefix" >/dev/null

  step "$abi: FlatBuffers"
  cmake -S "$src/flatbuffers" -B "$build/flatbuffers" "${android[@]}" -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DFLATBUFFERS_BUILD_TESTS=OFF -DFLATBUFFERS_BUILD_FLATC=OFF -DFLATBUFFERS_BUILD_FLATHASH=OFF >/dev/null
  cmake --build "$build/flatbuffers"
  cmake --install "$build/flatbuffers" >/dev/null

  step "$abi: pthreadpool"
  cmake -S "$src/pthreadpool" -B "$build/pthreadpool" "${android[@]}" -DPTHREADPOOL_LIBRARY_TYPE=static \
    -DPTHREADPOOL_BUILD_TESTS=OFF -DPTHREADPOOL_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build "$build/pthreadpool" --target pthreadpool
  cp "$src/pthreadpool/include/pthreadpool.h" "$prefix/include/"
  cp "$(find "$build/pthreadpool" -name libpthreadpool.a | head -n 1)" "$prefix/lib/"

  if [ $xnnpack = 1 ]; then
    step "$abi: XNNPACK"
    cmake -S "$src/XNNPACK" -B "$build/xnnpack" "${android[@]}" -DXNNPACK_LIBRARY_TYPE=static \
      -DXNNPACK_BUILD_TESTS=OFF -DXNNPACK_BUILD_BENCHMARKS=OFF -DPTHREADPOOL_SOURCE_DIR="$src/pthreadpool" >/dev/null
    cmake --build "$build/xnnpack" --target XNNPACK
    cp "$src/XNNPACK/include/xnnpack.h" "$prefix/include/"
    # One archive: XNNPACK with what it needs besides pthreadpool (cpuinfo, clog), so the incept
    # build links it as a single library, as it links Debian's libXNNPACK.so.
    rm -f "$prefix/lib/libXNNPACK.a"
    {
      echo "create $prefix/lib/libXNNPACK.a"
      find "$build/xnnpack" -name 'lib*.a' ! -name libpthreadpool.a | sort | sed 's/^/addlib /'
      echo save
      echo end
    } | "$llvm_ar" -M
  else
    rm -f "$prefix/lib/libXNNPACK.a" "$prefix/include/xnnpack.h"
  fi
done

step "done: $out (Gradle property inceptDeps; app/CMakeLists.txt takes <inceptDeps>/<abi>)"
