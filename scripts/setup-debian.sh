#!/usr/bin/env bash
# setup-debian.sh [--tests]
# Installs what SharpCam needs on Debian 12 (Swift itself must already be installed):
#   always:   FFmpeg development libraries and tools, OpenBLAS and libjpeg (trainer), libv4l (camera formats),
#             libpipewire (PipeWire camera), pkg-config
#   --tests:  also pipewire, wireplumber, dbus and GStreamer's PipeWire elements (tests run a private session)
#   --tests:  also dpkg-dev, lintian and debootstrap (the package test), chromium + chromium-driver
#   --tests:  also clang-format (the C format check), Python venv support, then a venv at .build-venv with the test oracles
#             (OpenCV, scikit-image, ...), and the test photos in .data/photos
# Idempotent; uses sudo for apt when not root.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(libavcodec-dev libavformat-dev libswscale-dev libavutil-dev pkg-config ffmpeg libopenblas-dev libjpeg62-turbo-dev libv4l-dev
  libpipewire-0.3-dev)
tests=0
[ "${1:-}" = "--tests" ] && tests=1
if [ $tests -eq 1 ]; then
  packages+=(python3-venv python3-pip ca-certificates clang-format)
  # A private PipeWire session and GStreamer clients for the PipeWire camera tests.
  packages+=(pipewire pipewire-bin wireplumber dbus dbus-daemon gstreamer1.0-pipewire gstreamer1.0-tools
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good)
  # The Debian package: build (dpkg-dev, binutils), check (lintian), install test in a clean root
  # (debootstrap).
  packages+=(dpkg-dev binutils lintian debootstrap)
  # The web console in a real browser (Selenium drives it through chromium-driver).
  packages+=(chromium chromium-driver curl)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ $tests -eq 1 ]; then
  if [ ! -x .build-venv/bin/python ]; then
    echo "setup: creating the test oracle venv in .build-venv" >&2
    python3 -m venv .build-venv
  fi
  .build-venv/bin/python -m pip install -q --disable-pip-version-check -r Tests/Oracles/requirements.txt
  bash scripts/fetch-photos.sh .data/photos test 2>&1 | tail -1 >&2
fi
