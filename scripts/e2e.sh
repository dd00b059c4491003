#!/usr/bin/env bash
# e2e.sh [SHARPCAMD]: the end-to-end test on real kernel drivers. Boots Debian's kernel in
# qemu (software emulation; no KVM needed) with vivid and v4l2loopback, and runs
# Tests/E2E/guest-tests.sh against SHARPCAMD (default: .build/debug/sharpcamd).
# Installs its host tools with apt on first use; VM assets are cached in .build-vm.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
need=(qemu-system-x86 busybox-static kmod cpio zstd file gcc-12 make libc6-dev v4l-utils ffmpeg)
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
bin=$(readlink -f "${1:-.build/debug/sharpcamd}")
[ -x "$bin" ] || { echo "e2e: $bin not built (swift build)" >&2; exit 2; }
cache=.build-vm
bash Tests/E2E/v4l2-vm.sh build "$cache" >&2
out=$(mktemp -d "${TMPDIR:-/tmp}/sharpcam-e2e.XXXXXX")
trap 'rm -rf "$out"' EXIT
set +e
# The loopback gets exactly the options the installed modprobe.d file sets.
loopback=$(sed -n 's/^options v4l2loopback //p' systemd/v4l2loopback-modprobe.conf)
[ -n "$loopback" ] || { echo "e2e: no options line in systemd/v4l2loopback-modprobe.conf" >&2; exit 2; }
bash Tests/E2E/v4l2-vm.sh run "$cache" --loopback "$loopback" --ffmpeg --share "$out" --bin "$bin" --timeout 900 -- "$PWD/Tests/E2E/guest-tests.sh" "$bin" "$out" 2>&1 | tee "$out/console.log" | grep -E "E2E|V4L2VM: (ready|program)|v4l2-vm: VM ran"
rc=${PIPESTATUS[0]}
set -e
echo "e2e: summary: $(grep -c 'E2E PASS' "$out/console.log") passed, $(grep -c 'E2E FAIL' "$out/console.log") failed; exit $rc" >&2
if [ "$rc" != 0 ]; then tail -60 "$out/console.log" >&2; fi
exit "$rc"
