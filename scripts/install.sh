#!/usr/bin/env bash
# install.sh [--system|--user] [--root DIR] [--bin-path DIR]
# install.sh --uninstall [--root DIR]
# Builds SharpCam (release, Swift standard library linked in) and installs it:
#   /usr/local/bin/{sharpcamd,sharpcam-train,sharpcam-bench}
#   /etc/sharpcam/sharpcamd.conf            (kept if it exists)
#   /etc/modprobe.d/sharpcam.conf, /etc/modules-load.d/sharpcam.conf   (v4l2loopback at boot)
#   /etc/systemd/system/sharpcamd.service, /etc/systemd/user/sharpcamd.service
#   /usr/local/share/doc/sharpcam/README.md and docs/
# then, on the real root: installs v4l2loopback-dkms (and the kernel headers it builds
# against), loads the module, and with --system enables and starts the system service, or
# with --user prints the command that enables the user service (run it as that user).
# --root DIR installs into DIR instead of / (packaging, tests): no apt, modprobe or systemctl.
# --bin-path DIR installs the programs already built in DIR instead of building them.
# Run through sudo, it finds a Swift toolchain that sudo's secure_path hides (/opt/swift*,
# swiftly's, the invoking user's PATH), or says how to build first and install the result.
# --uninstall stops and disables the services and removes every file above; the
# configuration file is kept when it differs from the shipped example (your settings).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=none root="" bin="" uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --system) mode=system ;;
    --user) mode=user ;;
    --uninstall) uninstall=1 ;;
    --root) root=$(readlink -m "$2"); shift ;;
    --bin-path) bin=$(readlink -m "$2"); shift ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
SUDO=""; [ "$(id -u)" -ne 0 ] && [ -z "$root" ] && SUDO="sudo"
installed=(usr/local/bin/sharpcamd usr/local/bin/sharpcam-train usr/local/bin/sharpcam-bench
  etc/modprobe.d/sharpcam.conf etc/modules-load.d/sharpcam.conf etc/systemd/system/sharpcamd.service
  etc/systemd/user/sharpcamd.service usr/local/share/doc/sharpcam/README.md)

if [ $uninstall -eq 1 ]; then
  if [ -z "$root" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now sharpcamd.service 2>/dev/null || true
    [ -n "${SUDO_USER:-}" ] && echo "install.sh: each user who enabled it: systemctl --user disable --now sharpcamd" >&2
  fi
  for f in "${installed[@]}"; do $SUDO rm -f "$root/$f"; done
  $SUDO rm -rf "$root/usr/local/share/doc/sharpcam/docs"
  conf="$root/etc/sharpcam/sharpcamd.conf"
  if [ -e "$conf" ] && cmp -s "$conf" systemd/sharpcamd.conf; then
    $SUDO rm -f "$conf"
  elif [ -e "$conf" ]; then
    echo "install.sh: keeping $conf (it has your settings; remove it by hand if you want)" >&2
  fi
  $SUDO rmdir "$root/etc/sharpcam" "$root/usr/local/share/doc/sharpcam" 2>/dev/null || true
  [ -z "$root" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ] && $SUDO systemctl daemon-reload
  echo "install.sh: removed SharpCam from ${root:-/} (v4l2loopback-dkms stays installed: apt remove it if unused)" >&2
  exit 0
fi

# A toolchain sudo's secure_path hides: the usual install places, then the invoking user's PATH.
if [ -z "$bin" ] && ! command -v swift >/dev/null; then
  for d in /opt/swift*/usr/bin /usr/share/swift/usr/bin /usr/local/swift/usr/bin \
    ${SUDO_USER:+$(getent passwd "$SUDO_USER" | cut -d: -f6)/.local/share/swiftly/bin}; do
    [ -x "$d/swift" ] && { PATH="$d:$PATH"; break; }
  done
  if ! command -v swift >/dev/null && [ -n "${SUDO_USER:-}" ]; then
    user_swift=$(sudo -u "$SUDO_USER" bash -lc 'command -v swift' 2>/dev/null || true)
    [ -n "$user_swift" ] && PATH="$(dirname "$user_swift"):$PATH"
  fi
  if ! command -v swift >/dev/null; then
    echo "install.sh: no Swift toolchain found (sudo hides your PATH). Build first as yourself:" >&2
    echo "    swift build -c release --static-swift-stdlib" >&2
    echo "then install what you built:  sudo ./scripts/install.sh --bin-path \"\$(swift build -c release --show-bin-path)\"" >&2
    exit 2
  fi
fi
if [ -z "$bin" ]; then
  bash scripts/setup-debian.sh
  for p in sharpcamd sharpcam-train sharpcam-bench; do
    swift build -c release --static-swift-stdlib --product "$p"
  done
  bin=$(swift build -c release --show-bin-path)
fi
for p in sharpcamd sharpcam-train sharpcam-bench; do
  [ -x "$bin/$p" ] || { echo "install.sh: $bin/$p is missing" >&2; exit 2; }
done
$SUDO install -d "$root/usr/local/bin" "$root/etc/sharpcam" "$root/etc/modprobe.d" "$root/etc/modules-load.d" \
  "$root/etc/systemd/system" "$root/etc/systemd/user" "$root/usr/local/share/doc/sharpcam"
$SUDO install -m 755 "$bin/sharpcamd" "$bin/sharpcam-train" "$bin/sharpcam-bench" "$root/usr/local/bin/"
if [ -e "$root/etc/sharpcam/sharpcamd.conf" ]; then
  echo "install.sh: keeping $root/etc/sharpcam/sharpcamd.conf (new example: systemd/sharpcamd.conf)" >&2
else
  $SUDO install -m 644 systemd/sharpcamd.conf "$root/etc/sharpcam/sharpcamd.conf"
fi
$SUDO install -m 644 systemd/v4l2loopback-modprobe.conf "$root/etc/modprobe.d/sharpcam.conf"
$SUDO install -m 644 systemd/v4l2loopback-modules-load.conf "$root/etc/modules-load.d/sharpcam.conf"
$SUDO install -m 644 systemd/sharpcamd.service "$root/etc/systemd/system/sharpcamd.service"
$SUDO install -m 644 systemd/user/sharpcamd.service "$root/etc/systemd/user/sharpcamd.service"
$SUDO install -m 644 README.md "$root/usr/local/share/doc/sharpcam/README.md"
# The README links to docs/ (and shows a picture from docs/images): they go beside it.
$SUDO rm -rf "$root/usr/local/share/doc/sharpcam/docs"
$SUDO install -d "$root/usr/local/share/doc/sharpcam/docs/images"
$SUDO install -m 644 docs/*.md "$root/usr/local/share/doc/sharpcam/docs/"
$SUDO install -m 644 docs/images/* "$root/usr/local/share/doc/sharpcam/docs/images/"
echo "install.sh: installed into ${root:-/}" >&2
[ -n "$root" ] && exit 0

# The loopback driver: Debian builds it with DKMS against the running kernel's headers.
if ! modinfo v4l2loopback >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "linux-headers-$(uname -r)" v4l2loopback-dkms
fi
if ! lsmod | grep -q '^v4l2loopback'; then
  $SUDO modprobe v4l2loopback || echo "install.sh: could not load v4l2loopback now; it loads at the next boot" >&2
fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  $SUDO systemctl daemon-reload
  case "$mode" in
    system) $SUDO systemctl enable --now sharpcamd.service
            echo "install.sh: sharpcamd runs as a system service (journalctl -u sharpcamd)" >&2 ;;
    user)   echo "install.sh: as the user who should run it (member of the video group):" >&2
            echo "    systemctl --user daemon-reload && systemctl --user enable --now sharpcamd" >&2 ;;
    none)   echo "install.sh: start it with: sudo systemctl enable --now sharpcamd  (or --user)" >&2 ;;
  esac
fi
