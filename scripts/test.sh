#!/usr/bin/env bash
# test.sh: installs what the tests need (apt, a Python venv with the oracles, test photos),
# checks the formatting (swift format, clang-format), builds and runs the whole test suite, the
# fuzz targets for a fixed time (scripts/fuzz.sh), a live soak test (scripts/soak.sh), the
# C kernel-set tests (every instruction set this CPU has against the portable reference), the
# FrameRing stress tests, the service group and the ChromaTransfer thread-pool tests under
# ThreadSanitizer, the PipeWire camera against private PipeWire sessions (pipewire + wireplumber
# under dbus-run-session, GStreamer clients), the web console in headless chromium (Selenium),
# `systemd-analyze verify` on the units, an install into a scratch root, the Debian package
# (built, lintian, installed into a clean Debian 12 root without Swift, run, purged) and the
# end-to-end test on real V4L2 drivers with the packaged sharpcamd (vivid + v4l2loopback in a
# qemu VM; no GPU, camera or KVM needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh --tests
export SHARPCAM_PYTHON="$PWD/.build-venv/bin/python"
export SHARPCAM_PHOTOS="$PWD/.data/photos"
# The PipeWire camera tests start their own PipeWire sessions (scripts/pipewire-session.sh);
# here they must run, not be skipped.
export SHARPCAM_REQUIRE_PIPEWIRE=1
bash scripts/format.sh --check
swift build --build-tests
swift test --skip-build --parallel
echo "test.sh: the web console in headless chromium (Selenium); screenshot in out/test-artifacts" >&2
"$SHARPCAM_PYTHON" Tests/Web/console_browser_test.py "$(swift build --show-bin-path)/sharpcamd" out/test-artifacts
echo "test.sh: C kernel sets against the portable reference (Tests/CKernels)" >&2
kernel_test=$(mktemp "${TMPDIR:-/tmp}/student_isa_test.XXXXXX")
for t in student_isa_test pixels_isa_test temporal_isa_test; do
  clang -O2 -fno-math-errno -I Sources/CSharpKernels/include Sources/CSharpKernels/*.c "Tests/CKernels/$t.c" \
    -lm -lpthread -o "$kernel_test"
  "$kernel_test" | tail -n 2
done
rm -f "$kernel_test"
echo "test.sh: ThreadSanitizer run of the FrameRing, ServiceGroup, ProcessingService and ChromaTransfer (thread pool) tests" >&2
TSAN_OPTIONS="halt_on_error=1" swift test --sanitize=thread --scratch-path .build-tsan \
  --filter "FrameRingTests|ChromaTransferTests|ServiceGroupTests|ProcessingServiceTests"
echo "test.sh: fuzzing the parsers of untrusted input (libFuzzer + AddressSanitizer)" >&2
bash scripts/fuzz.sh "${SHARPCAM_FUZZ_SECONDS:-30}"
echo "test.sh: live soak (RSS, descriptors, SIGHUP storms, SIGSTOP/SIGCONT, SIGTERM)" >&2
bash scripts/soak.sh "${SHARPCAM_SOAK_SECONDS:-120}"
echo "test.sh: systemd units" >&2
bash scripts/verify-units.sh
root=$(mktemp -d "${TMPDIR:-/tmp}/sharpcam-root.XXXXXX")
bash scripts/install.sh --root "$root" --bin-path "$(swift build --show-bin-path)"
"$root/usr/local/bin/sharpcamd" --help >/dev/null
cmp systemd/sharpcamd.conf "$root/etc/sharpcam/sharpcamd.conf"
bash scripts/install.sh --uninstall --root "$root"
left=$(find "$root" -type f)
[ -z "$left" ] || { echo "test.sh: install.sh --uninstall left files: $left" >&2; exit 1; }
rm -rf "$root"
echo "test.sh: Debian package: release build (static Swift stdlib), lintian, install into a clean root, purge" >&2
deb=$(bash scripts/package-deb.sh)
ls -l "$deb" >&2
lintian --fail-on error,warning "$deb" >&2
bash scripts/package-test.sh "$deb"
echo "test.sh: end-to-end test on real V4L2 drivers, with the packaged sharpcamd" >&2
pkg=$(mktemp -d "${TMPDIR:-/tmp}/sharpcam-pkg.XXXXXX")
dpkg-deb -x "$deb" "$pkg"
bash scripts/e2e.sh "$pkg/usr/bin/sharpcamd"
rm -rf "$pkg"
echo "test.sh: all tests passed" >&2
