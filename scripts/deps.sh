#!/usr/bin/env bash
# Installs the Debian packages incept needs, only those missing; quiet when all are there.
# Usage: scripts/deps.sh   (as root, or with sudo available)
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev libeigen3-dev
  libflatbuffers-dev flatbuffers-compiler libbenchmark-dev doctest-dev libstb-dev
  clang libclang-rt-14-dev llvm-14 clang-format-14 flake8
  g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user
  openjdk-17-jdk-headless
  python3-torch python3-torchvision python3-onnx python3-flatbuffers python3-numpy python3-pytest
  python3-h5py python3-venv python3-setuptools python3-wheel python3-packaging
  python3-dev pybind11-dev python3-pybind11
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "incept: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "incept: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# One index that fails to download (a mirror mid-sync, say) makes apt-get update fail as a whole,
# though the lists the install needs may be fine: go on, and let the install say what is missing.
$SUDO apt-get update -qq || echo "incept: apt-get update reported errors (above); installing anyway" >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "incept: packages installed"
