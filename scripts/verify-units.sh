#!/usr/bin/env bash
# verify-units.sh [SHARPCAMD]: checks the systemd units in systemd/ with `systemd-analyze
# verify` (system unit as a system unit, user unit as a user unit) and fails on any complaint,
# warnings included; the units' ExecStart is pointed at SHARPCAMD (default
# .build/debug/sharpcamd) because verify checks that the program exists. Also prints the
# offline `systemd-analyze security` exposure score of the system unit.
# Installs systemd's tools with apt when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! command -v systemd-analyze >/dev/null; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends systemd >/dev/null
fi
bin=$(readlink -f "${1:-.build/debug/sharpcamd}")
[ -x "$bin" ] || { echo "verify-units: $bin not built (swift build)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sharpcam-units.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -m 700 "$work/runtime"
sed "s|/usr/local/bin/sharpcamd|$bin|" systemd/sharpcamd.service > "$work/sharpcamd.service"
mkdir "$work/user"
sed "s|/usr/local/bin/sharpcamd|$bin|" systemd/user/sharpcamd.service > "$work/user/sharpcamd.service"
status=0
check() {
  local out
  if ! out=$("$@" 2>&1) || [ -n "$out" ]; then
    echo "verify-units: FAIL: $*" >&2; echo "$out" >&2; status=1
  else
    echo "verify-units: ok: ${*: -1}" >&2
  fi
}
check systemd-analyze verify --man=no "$work/sharpcamd.service"
check env XDG_RUNTIME_DIR="$work/runtime" systemd-analyze --user verify --man=no "$work/user/sharpcamd.service"
# The drop-in files are plain text for modprobe/modules-load: check the options line.
grep -qx 'options v4l2loopback video_nr=10 card_label="SharpCam" exclusive_caps=1 max_buffers=2' systemd/v4l2loopback-modprobe.conf \
  || { echo "verify-units: FAIL: systemd/v4l2loopback-modprobe.conf lacks the options line" >&2; status=1; }
grep -qx 'v4l2loopback' systemd/v4l2loopback-modules-load.conf \
  || { echo "verify-units: FAIL: systemd/v4l2loopback-modules-load.conf does not load v4l2loopback" >&2; status=1; }
for unit in "$work/sharpcamd.service" "$work/user/sharpcamd.service"; do
  scope=""; [[ $unit == */user/* ]] && scope="--user"
  score=$(env XDG_RUNTIME_DIR="$work/runtime" systemd-analyze $scope security --offline=yes "$unit" 2>/dev/null \
    | grep 'Overall exposure' || true)
  echo "verify-units: ${scope:-system} unit: ${score:-no score}" >&2
done
exit $status
