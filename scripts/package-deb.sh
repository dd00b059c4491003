#!/usr/bin/env bash
# package-deb.sh [--bin-path DIR]: builds dist/sharpcam_<version>_<arch>.deb from a release
# build with the Swift standard library linked in (no toolchain needed to run it):
#   /usr/bin/{sharpcamd,sharpcam-train,sharpcam-bench} (stripped), man pages made from --help,
#   bash/zsh/fish completions (swift-argument-parser), /etc/sharpcam/sharpcamd.conf (conffile),
#   the system and user units, modprobe.d/modules-load.d files for v4l2loopback, README and docs/.
# Depends: what the binaries load (dpkg-shlibdeps); Recommends: v4l2loopback-dkms, pipewire.
# The maintainer scripts reload systemd, try to load v4l2loopback once and say what to do when
# it does not load (Secure Boot: `sharpcamd doctor`); they never enable or start a service.
# arm64: run the same script on an arm64 Debian 12 machine with Swift (nothing here is x86-only:
# the kernels pick their instruction set at start-up).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=""
[ "${1:-}" = "--bin-path" ] && bin=$(readlink -m "$2")
version=$(sed -n 's/.*static let string = "\(.*\)".*/\1/p' Sources/SharpSupport/SharpCamVersion.swift)
arch=$(dpkg --print-architecture)
if [ -z "$bin" ]; then
  for p in sharpcamd sharpcam-train sharpcam-bench; do
    swift build -c release --static-swift-stdlib --product "$p" >&2
  done
  bin=$(swift build -c release --show-bin-path)
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/sharpcam-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
st=$work/sharpcam_${version}_$arch
install -d "$st/DEBIAN" "$st/usr/bin" "$st/etc/sharpcam" "$st/lib/systemd/system" "$st/usr/lib/systemd/user" \
  "$st/lib/modprobe.d" "$st/usr/lib/modules-load.d" "$st/usr/share/doc/sharpcam" "$st/usr/share/man/man1" \
  "$st/usr/share/bash-completion/completions" "$st/usr/share/zsh/vendor-completions" \
  "$st/usr/share/fish/vendor_completions.d"
for p in sharpcamd sharpcam-train sharpcam-bench; do
  install -m 755 "$bin/$p" "$st/usr/bin/$p"
  strip --strip-unneeded --remove-section=.comment --remove-section=.note "$st/usr/bin/$p"
  "$bin/$p" --generate-completion-script bash | sed '1{/^#!/d}' > "$st/usr/share/bash-completion/completions/$p"
  "$bin/$p" --generate-completion-script zsh > "$st/usr/share/zsh/vendor-completions/_$p"
  "$bin/$p" --generate-completion-script fish > "$st/usr/share/fish/vendor_completions.d/$p.fish"
  # A man page from --help (NAME, SYNOPSIS and the help text as written).
  {
    echo ".TH ${p^^} 1 \"$(date -u -d "@$(git log -1 --format=%ct)" +%Y-%m-%d)\" \"SharpCam $version\" \"User Commands\""
    echo ".SH NAME"
    echo "$p \\- $("$bin/$p" --help | sed -n '1s/^OVERVIEW: //p' | sed 's/\\/\\\\/g')"
    echo ".SH DESCRIPTION"
    echo ".nf"
    "$bin/$p" --help | sed -e 's/\\/\\\\/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\&'/"
    echo ".fi"
    echo ".SH SEE ALSO"
    echo "/usr/share/doc/sharpcam/README.md"
  } | gzip -9n > "$st/usr/share/man/man1/$p.1.gz"
done
install -m 644 systemd/sharpcamd.conf "$st/etc/sharpcam/sharpcamd.conf"
sed 's|/usr/local/bin/|/usr/bin/|g; s|/usr/local/share/doc|/usr/share/doc|g' systemd/sharpcamd.service \
  > "$st/lib/systemd/system/sharpcamd.service"
sed 's|/usr/local/bin/|/usr/bin/|g; s|/usr/local/share/doc|/usr/share/doc|g' systemd/user/sharpcamd.service \
  > "$st/usr/lib/systemd/user/sharpcamd.service"
chmod 644 "$st/lib/systemd/system/sharpcamd.service" "$st/usr/lib/systemd/user/sharpcamd.service"
install -m 644 systemd/v4l2loopback-modprobe.conf "$st/lib/modprobe.d/sharpcam.conf"
install -m 644 systemd/v4l2loopback-modules-load.conf "$st/usr/lib/modules-load.d/sharpcam.conf"
install -m 644 README.md "$st/usr/share/doc/sharpcam/README.md"
install -d "$st/usr/share/doc/sharpcam/docs/images"
install -m 644 docs/*.md "$st/usr/share/doc/sharpcam/docs/"
install -m 644 docs/images/* "$st/usr/share/doc/sharpcam/docs/images/"
{
  echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: SharpCam"
  echo
  echo "Files: *"
  echo "Copyright: 2026 The SharpCam authors"
  echo "License: Apache-2.0"
  echo " On Debian systems the full text of the Apache License 2.0 is in"
  echo " /usr/share/common-licenses/Apache-2.0."
} > "$st/usr/share/doc/sharpcam/copyright"
{
  echo "sharpcam ($version) unstable; urgency=medium"
  echo
  echo "  * Release $version (see CHANGELOG.md upstream)."
  echo
  echo " -- SharpCam maintainers <maintainers@sharpcam.org>  $(date -u -R -d "@$(git log -1 --format=%ct)")"
} | gzip -9n > "$st/usr/share/doc/sharpcam/changelog.gz"
echo /etc/sharpcam/sharpcamd.conf > "$st/DEBIAN/conffiles"

# Dependencies: the shared libraries the binaries load.
mkdir -p "$work/debian"
printf 'Source: sharpcam\n\nPackage: sharpcam\nArchitecture: any\n' > "$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O "$st"/usr/bin/* 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
size=$(du -sk --exclude=DEBIAN "$st" | cut -f1)
cat > "$st/DEBIAN/control" <<CONTROL
Package: sharpcam
Version: $version
Architecture: $arch
Maintainer: SharpCam maintainers <maintainers@sharpcam.org>
Installed-Size: $size
Depends: $depends
Recommends: v4l2loopback-dkms, pipewire
Section: video
Priority: optional
Homepage: https://github.com/sharpcam/sharpcam
Description: sharp webcam for video calls (virtual camera)
 SharpCam reads a webcam, sharpens every frame with a small neural network
 on the CPU in real time and publishes the result as a v4l2loopback camera
 and/or a PipeWire camera named "SharpCam" for Meet, Zoom, Teams, OBS and
 browsers. It also sharpens video files and pictures, trains its own
 weights (sharpcam-train) and measures itself (sharpcam-bench).
CONTROL
cat > "$st/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload || true
    fi
    # The loopback camera: load it once now (it also loads at every boot); never fatal.
    if [ -e /sys/module ] && ! [ -e /sys/module/v4l2loopback ]; then
        if modprobe v4l2loopback 2>/dev/null; then
            echo "sharpcam: v4l2loopback loaded (/dev/video10, \"SharpCam\")"
        elif modinfo v4l2loopback >/dev/null 2>&1; then
            echo "sharpcam: v4l2loopback is installed but did not load (Secure Boot with an unenrolled key?): run 'sharpcamd doctor'"
        else
            echo "sharpcam: v4l2loopback is not installed: 'apt install v4l2loopback-dkms', or use '--output pipewire'; 'sharpcamd doctor' checks the set-up"
        fi
    fi
    echo "sharpcam: start it with 'systemctl --user enable --now sharpcamd' (or the system service: 'sudo systemctl enable --now sharpcamd')"
fi
exit 0
SCRIPT
cat > "$st/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ] && command -v deb-systemd-invoke >/dev/null; then
    deb-systemd-invoke stop sharpcamd.service >/dev/null 2>&1 || true
fi
exit 0
SCRIPT
cat > "$st/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = remove ] || [ "$1" = purge ]; then
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload || true
    fi
fi
if [ "$1" = purge ]; then
    if command -v deb-systemd-helper >/dev/null; then
        deb-systemd-helper purge sharpcamd.service >/dev/null 2>&1 || true
    fi
    rmdir /etc/sharpcam 2>/dev/null || true
fi
exit 0
SCRIPT
chmod 755 "$st/DEBIAN/postinst" "$st/DEBIAN/prerm" "$st/DEBIAN/postrm"
(cd "$st" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) > "$st/DEBIAN/md5sums"
mkdir -p dist
deb=dist/sharpcam_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$st" "$deb" >&2
echo "$deb"
