#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds ncnn's own post-training int8 tools (ncnnoptimize, ncnn2table, ncnn2int8) for bench/peers/run.sh
# --precision int8, which the ncnn wheel does not ship:
#   bench/peers/build_ncnn_tools.sh [--source DIR]
# The library is built from ncnn's PyPI source distribution at the version requirements.txt pins (sha256
# checked). That archive holds src/ but not tools/: the tools' sources (tools/quantize/, tools/ncnnoptimize.cpp)
# come from a copy of ncnn's git repository, --source DIR (or NCNN_SOURCE), else the release tag's archive on
# GitHub. The tools land in build/ncnn-tools/bin (peer_models.py looks there, or in $NCNN_TOOLS); the
# versions used are written to build/ncnn-tools/bin/VERSION. Needs cmake, ninja and a C++ compiler (Debian's).
set -euo pipefail
cd "$(dirname "$0")/../.."
die() { echo "build_ncnn_tools: $*" >&2; exit 2; }

source_dir=${NCNN_SOURCE:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --source) [ $# -ge 2 ] || die "--source needs a folder"; source_dir=$2; shift ;;
    --source=*) source_dir=${1#--source=} ;;
    -h|--help) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

version=$(sed -n 's/^ncnn==\([0-9.]*\).*/\1/p' bench/peers/requirements.txt)
[ -n "$version" ] || die "no ncnn pin in bench/peers/requirements.txt"
tag=${version##*.}                       # 1.0.20261020 -> 20261020, ncnn's release tag
sdist_sha256=ad8cdd63e9755cfa8e23b9b6d9ce46156077d80298a89e7c3ba325ffccfca200   # ncnn-1.0.20261020.tar.gz
work=build/ncnn-tools
mkdir -p "$work"
sdist=$work/ncnn-$version.tar.gz
if [ ! -f "$sdist" ]; then
  echo "  downloading ncnn $version's source distribution from PyPI"
  index=https://pypi.org/pypi/ncnn/json
  url=$(curl -fsSL "$index" | /usr/bin/python3 -c 'import json, sys, urllib.parse
urls = json.load(sys.stdin)["releases"][sys.argv[1]]
print(urllib.parse.urljoin(sys.argv[2], next(u["url"] for u in urls if u["packagetype"] == "sdist")))' "$version" "$index") \
    || die "could not find ncnn $version's source distribution on PyPI"
  curl -fsSL -o "$sdist.part" "$url" || die "could not download $url"
  mv "$sdist.part" "$sdist"
fi
echo "$sdist_sha256  $sdist" | sha256sum -c --quiet - || die "$sdist: sha256 differs from the pinned one"

src=$work/ncnn-$version
tar xzf "$sdist" -C "$work"   # over an earlier copy: the archive's times, so a rebuild is incremental
[ -d "$src/src" ] || die "$sdist has no src/ folder"

if [ -z "$source_dir" ]; then
  archive=$work/ncnn-$tag-git.tar.gz
  if [ ! -f "$archive" ]; then
    echo "  downloading ncnn's tag $tag from GitHub for tools/ (the source distribution lacks it)"
    curl -fsSL -o "$archive.part" "https://github.com/Tencent/ncnn/archive/refs/tags/$tag.tar.gz" \
      || die "could not download ncnn's tag $tag from GitHub; give a copy of ncnn's repository with --source DIR"
    mv "$archive.part" "$archive"
  fi
  source_dir=$work/ncnn-$tag-git
  rm -rf "$source_dir" && mkdir -p "$source_dir"
  tar xzf "$archive" -C "$source_dir" --strip-components=1
  tools_from="github.com/Tencent/ncnn tag $tag"
else
  tools_from="$source_dir"
  if git -C "$source_dir" rev-parse HEAD >/dev/null 2>&1; then
    tools_from="ncnn git $(git -C "$source_dir" rev-parse --short HEAD) ($(git -C "$source_dir" log -1 --format=%cs))"
  fi
fi
for f in tools/quantize/ncnn2table.cpp tools/quantize/ncnn2int8.cpp tools/ncnnoptimize.cpp tools/modelwriter.h \
         tests/prng.h; do
  [ -f "$source_dir/$f" ] || die "$source_dir has no $f (give a copy of ncnn's git repository)"
done
mkdir -p "$src/tools"
cp -rp "$source_dir/tools/quantize" "$src/tools/"
cp -p "$source_dir/tools/ncnnoptimize.cpp" "$source_dir/tools/modelwriter.h" "$src/tools/"
mkdir -p "$src/tests"
cp -p "$source_dir/tests/prng.h" "$src/tests/"   # modelwriter.h includes it
cat >"$src/tools/CMakeLists.txt" <<'CMAKE'
include(GNUInstallDirs)
macro(ncnn_install_tool toolname)
    install(TARGETS ${toolname} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endmacro()
add_subdirectory(quantize)
add_executable(ncnnoptimize ncnnoptimize.cpp)
target_link_libraries(ncnnoptimize PRIVATE ncnn)
CMAKE

echo "  building ncnn $version (library) with ncnnoptimize, ncnn2table, ncnn2int8 from $tools_from"
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNCNN_BUILD_TOOLS=ON -DNCNN_VULKAN=OFF \
  -DNCNN_SIMPLEOCV=ON -DNCNN_BUILD_BENCHMARK=OFF -DNCNN_BUILD_EXAMPLES=OFF -DNCNN_BUILD_TESTS=OFF -DNCNN_PYTHON=OFF \
  -DNCNN_WEIGHT_QUANT=OFF -DNCNN_SHARED_LIB=OFF >"$work/cmake.log" 2>&1 || die "cmake failed (log: $work/cmake.log)"
ninja -C "$work/build" ncnnoptimize ncnn2table ncnn2int8 >"$work/build.log" 2>&1 \
  || die "the build failed (log: $work/build.log)"
mkdir -p "$work/bin"
cp "$work/build/tools/ncnnoptimize" "$work/build/tools/quantize/ncnn2table" "$work/build/tools/quantize/ncnn2int8" \
  "$work/bin/"
echo "ncnn $version library (PyPI source distribution); tools from $tools_from" >"$work/bin/VERSION"
echo "  $(cat "$work/bin/VERSION") -> $work/bin"
