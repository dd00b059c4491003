#!/usr/bin/env bash
# package-test.sh DEB: installs the package into a clean Debian 12 root that has no Swift
# toolchain (debootstrap --variant=minbase bookworm, cached between runs and clones in
# ${SHARPCAM_CACHE:-~/.cache/sharpcam}/debroot-bookworm.tar), with apt
# resolving its dependencies; there runs `sharpcamd --version`, a file job on the generated
# clip, `sharpcamd doctor` (it must report, not crash, without a camera), then `apt-get purge`
# and checks that no file the package installed is left.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(readlink -f "$1")
export SHARPCAM_CACHE=${SHARPCAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sharpcam}
# chroot and mounts need root; the cache stays the calling user's.
if [ "$(id -u)" -ne 0 ]; then exec sudo --preserve-env=SHARPCAM_CACHE,DEBIAN_MIRROR bash "$0" "$deb"; fi
cache=$SHARPCAM_CACHE
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
if [ ! -e "$cache/debroot-bookworm.tar" ]; then
  rm -rf "$cache/build"; mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$cache/build" "$mirror" >&2
  tar -C "$cache/build" -cf "$cache/debroot-bookworm.tar.part" . && mv "$cache/debroot-bookworm.tar.part" "$cache/debroot-bookworm.tar"
  rm -rf "$cache/build"
fi
root=$(mktemp -d "${TMPDIR:-/tmp}/sharpcam-debroot.XXXXXX")
cleanup() { for m in proc sys dev; do umount -l "$root/$m" 2>/dev/null || true; done; rm -rf "$root"; }
trap cleanup EXIT
tar -C "$root" -xf "$cache/debroot-bookworm.tar"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"; mount --rbind /sys "$root/sys"; mount --rbind /dev "$root/dev"
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive "$@"; }
in_root sh -c "command -v swift" && { echo "package-test: the clean root has a Swift toolchain" >&2; exit 1; }
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" >&2
in_root dpkg -L sharpcam | sort > "$root/tmp/files"
echo "package-test: installed $(wc -l < "$root/tmp/files") paths; $(in_root sharpcamd --version)" >&2
in_root sh -c "cd /tmp && sharpcamd --demo --frames 15 --output /tmp/demo.mp4 --quiet && test -s /tmp/demo.mp4"
echo "package-test: file job on the generated clip: ok" >&2
set +e
in_root sharpcamd doctor > "$root/tmp/doctor.txt" 2>&1; rc=$?
set -e
[ $rc -le 1 ] && grep -q "v4l2loopback" "$root/tmp/doctor.txt" || { cat "$root/tmp/doctor.txt" >&2; echo "package-test: doctor failed ($rc)" >&2; exit 1; }
echo "package-test: doctor reported (exit $rc): $(head -1 "$root/tmp/doctor.txt")" >&2
in_root apt-get purge -y -qq sharpcam >&2
left=$(while read -r f; do if [ -f "$root$f" ]; then echo "$f"; fi; done < "$root/tmp/files")
if [ -d "$root/etc/sharpcam" ]; then left="$left /etc/sharpcam"; fi
[ -z "$left" ] || { echo "package-test: left after purge: $left" >&2; exit 1; }
echo "package-test: purge left nothing behind" >&2
