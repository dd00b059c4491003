#!/bin/bash
# SharpCam's end-to-end harness, adapted from the project's shared VM recipe
# (../shared/vm/v4l2-vm.sh): same build and run; the loopback defaults to SharpCam's module
# options (systemd/v4l2loopback-modprobe.conf) and the selftest is replaced by guest-tests.sh.
#
# v4l2-vm.sh - run a program against REAL Linux V4L2 drivers (vivid capture +
# v4l2loopback output) inside a throw-away qemu VM, built only from Debian 12
# packages.  Meant for CI machines that cannot load kernel modules themselves
# (containers, Firecracker VMs, ...).  Needs root only for the one-time
# `apt-get install` of the host tools listed below.
#
# README
# ------
#   Host packages (Debian 12):  qemu-system-x86 busybox-static kmod cpio zstd
#                               gcc-12 make libc6-dev v4l-utils  (+ ffmpeg for selftest)
#   v4l2-vm.sh build    CACHE             one-time, idempotent: downloads the
#        Debian kernel (linux-image-<abi>-amd64, headers, kbuild) and
#        v4l2loopback-dkms with `apt-get download` (nothing is installed on the
#        host, dkms never runs), compiles v4l2loopback.ko against the extracted
#        headers, and builds the cached base initramfs layer (busybox, modules,
#        v4l2-ctl, v4l2-compliance).  Also builds an ffmpeg layer on demand.
#   v4l2-vm.sh run      CACHE [opts] -- PROG [ARGS...]
#        Boots the VM (TCG software emulation; KVM if --kvm and it works),
#        loads vivid and v4l2loopback, runs PROG ARGS inside, streams the guest
#        console to stdout and exits with PROG's exit code (125 = VM failed or
#        timed out before the program reported an exit code).
#        PROG and every shared library `ldd` finds are copied into a small
#        per-run initramfs layer at the SAME absolute paths (so RPATHs such as
#        the Swift runtime directory keep working).  Shell scripts work too
#        (they run under busybox sh).
#   run options:
#     --bin PATH         also copy host executable PATH (+ its libs), repeatable
#     --add SRC[:DST]    also copy a host file or directory (to DST, default same path)
#     --ffmpeg           add the cached ffmpeg layer (/usr/bin/ffmpeg, ffprobe + libs)
#     --share DIR        mount host DIR read-write at the same path via virtio-9p
#                        (use it for big inputs and to get results back)
#     --hostroot         do not copy anything: mount the host's / read-only over
#                        virtio-9p and chroot into it (all host programs available)
#     --vivid "ARGS"     vivid module parameters (default: none -> /dev/video0 capture)
#     --loopback "ARGS"  v4l2loopback parameters
#                        (default: video_nr=10 card_label="SharpCam" exclusive_caps=1 max_buffers=2)
#     --env K=V          environment variable for PROG, repeatable
#     --cwd DIR          working directory for PROG inside the guest (default /tmp)
#     --mem MB (2048)  --smp N (2)  --timeout SECONDS (900)  --kvm
#
#   Environment: V4L2VM_KVER=6.1.0-NN-amd64 pins the kernel ABI (default: the
#   one linux-image-amd64 currently depends on).  Guest devices with defaults:
#   vivid: /dev/video0 (capture), /dev/video1 (output), ...; v4l2loopback: /dev/video10.
set -euo pipefail

die() { echo "v4l2-vm: $*" >&2; exit 125; }
log() { echo "v4l2-vm: $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

HOST_PKGS="qemu-system-x86 busybox-static kmod cpio zstd file gcc-12 make libc6-dev v4l-utils"

ensure_host_pkgs() {
    local missing=() p
    for p in $HOST_PKGS "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        [ "$(id -u)" = 0 ] || die "missing host packages: ${missing[*]} (apt-get install them)"
        log "installing host packages: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >&2
    fi
}

# ---------------------------------------------------------------- helpers ----
# copy_elf STAGE PATH [SKIPDIR...]: copy PATH and its ldd closure into STAGE at
# canonical host paths, skipping files already present in SKIPDIRs (lower layers).
copy_file() { # STAGE SRC [DST] [SKIP...]
    local stage=$1 src=$2 dst=${3:-} d
    shift 3 || shift $#
    [ -n "$dst" ] || dst=$(readlink -f "$src")
    for d in "$@"; do [ -e "$d$dst" ] && return 0; done
    [ -e "$stage$dst" ] && return 0
    mkdir -p "$stage$(dirname "$dst")"
    cp -L --preserve=mode "$src" "$stage$dst"
}
copy_elf() { # STAGE PATH [SKIP...]
    local stage=$1 bin=$2 lib
    shift 2
    copy_file "$stage" "$bin" "$(readlink -f "$bin")" "$@"
    # libraries: keep the path ldd resolved (soname name) but canonicalise its directory
    if file -L "$bin" | grep -q 'ELF.*dynamic'; then
        ldd "$bin" | awk '/=> \//{print $3} /^[ \t]*\/[^ ]+ \(/{print $1}' | while read -r lib; do
            copy_file "$stage" "$lib" "$(readlink -f "$(dirname "$lib")")/$(basename "$lib")" "$@"
        done
        ldd "$bin" | grep -q 'not found' && { ldd "$bin" | grep 'not found' >&2; die "unresolved libraries for $bin"; }
    fi
    return 0
}
mk_cpio() { # DIR OUT  (zstd-compressed newc archive, root-owned)
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | zstd -q -T0 -3 -f -o "$2"
}
q() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }   # shell-quote for busybox sh

# ---------------------------------------------------------------- build ------
do_build() {
    local cache=$1 t0; t0=$(now)
    mkdir -p "$cache"; cache=$(readlink -f "$cache")
    ensure_host_pkgs
    local kver=${V4L2VM_KVER:-}
    if [ -z "$kver" ]; then
        if [ -s "$cache/kver" ]; then kver=$(cat "$cache/kver"); else
        kver=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{sub("linux-image-","",$2); print $2; exit}')
        fi
    fi
    [ -n "$kver" ] || die "cannot determine kernel ABI (set V4L2VM_KVER)"
    echo "$kver" > "$cache/kver"
    local kbase=${kver%-amd64} kmaj; kmaj=$(echo "$kver" | cut -d. -f1-2)
    local root=$cache/root mod=$cache/root/lib/modules/$kver

    # 1. download + extract (no install, no dkms)
    if [ ! -e "$cache/.extracted-$kver" ]; then
        mkdir -p "$cache/debs"; chmod 777 "$cache/debs" || true
        (cd "$cache/debs" && apt-get download "linux-image-$kver" "linux-headers-$kver" \
            "linux-headers-$kbase-common" "linux-kbuild-$kmaj" v4l2loopback-dkms >&2)
        rm -rf "$root"; mkdir -p "$root"
        for f in "$cache"/debs/*.deb; do dpkg -x "$f" "$root"; done
        depmod -b "$root" "$kver"
        touch "$cache/.extracted-$kver"
        log "downloaded+extracted kernel $kver ($(elapsed "$t0") s)"
    fi
    [ -e "$mod/kernel/drivers/media/test-drivers/vivid/vivid.ko" ] || die "vivid.ko missing in $kver"

    # 2. v4l2loopback.ko against the extracted headers
    if [ ! -e "$mod/extra/v4l2loopback.ko" ]; then
        local hdr=$root/usr/src/linux-headers-$kver src
        sed -i "s#^include /usr/src/#include $root/usr/src/#" "$hdr/Makefile"
        src=$(ls -d "$root"/usr/src/v4l2loopback-* | head -1)
        rm -rf "$cache/v4l2loopback"; cp -a "$src" "$cache/v4l2loopback"
        make -s -C "$hdr" M="$cache/v4l2loopback" modules >&2
        mkdir -p "$mod/extra"; cp "$cache/v4l2loopback/v4l2loopback.ko" "$mod/extra/"
        depmod -b "$root" "$kver"
        log "built v4l2loopback.ko ($(elapsed "$t0") s)"
    fi

    # 3. base initramfs layer
    if [ ! -e "$cache/base.cpio.zst" ]; then
        local st=$cache/stage-base; rm -rf "$st"
        mkdir -p "$st"/{usr/bin,usr/sbin,usr/lib,usr/lib64,dev,proc,sys,tmp,run,root,host,etc/v4l2vm}
        ln -s usr/bin "$st/bin"; ln -s usr/sbin "$st/sbin"; ln -s usr/lib "$st/lib"; ln -s usr/lib64 "$st/lib64"
        chmod 1777 "$st/tmp"
        cp /bin/busybox "$st/usr/bin/busybox"
        echo "root:x:0:0:root:/root:/bin/sh" > "$st/etc/passwd"; echo "root:x:0:" > "$st/etc/group"
        local m line; : > "$st/etc/v4l2vm/modules-v4l2.sh"; : > "$st/etc/v4l2vm/modules-9p.sh"
        for m in vivid v4l2loopback; do modprobe -d "$root" -S "$kver" --show-depends $m; done |
            awk '!seen[$2]++' | while read -r _ line _; do
                line=${line#$root}; copy_file "$st" "$root$line" "$line"
                case "$line" in */v4l2loopback.ko) ;; */vivid.ko) ;; *) echo "insmod $line || return 1" >> "$st/etc/v4l2vm/modules-v4l2.sh";; esac
                echo "$line" >> "$st/etc/v4l2vm/modules.list"
            done
        for m in virtio_pci 9pnet_virtio 9p; do modprobe -d "$root" -S "$kver" --show-depends $m; done |
            awk '!seen[$2]++' | while read -r _ line _; do
                line=${line#$root}; copy_file "$st" "$root$line" "$line"; echo "insmod $line || return 1" >> "$st/etc/v4l2vm/modules-9p.sh"
            done
        echo "VIVID_KO=$(grep '/vivid.ko$' "$st/etc/v4l2vm/modules.list")" > "$st/etc/v4l2vm/paths.sh"
        echo "LOOP_KO=$(grep '/v4l2loopback.ko$' "$st/etc/v4l2vm/modules.list")" >> "$st/etc/v4l2vm/paths.sh"
        for b in /usr/bin/v4l2-ctl /usr/bin/v4l2-compliance; do copy_elf "$st" "$b"; done
        write_init "$st/init"
        mk_cpio "$st" "$cache/base.cpio.zst"
        log "built base layer $(du -h "$cache/base.cpio.zst" | cut -f1) ($(elapsed "$t0") s)"
    fi
    cp "$root/boot/vmlinuz-$kver" "$cache/vmlinuz"
    log "build done ($(elapsed "$t0") s)"
}

build_ffmpeg_layer() {
    local cache=$1 t0; t0=$(now)
    [ -e "$cache/ffmpeg.cpio.zst" ] && return 0
    ensure_host_pkgs ffmpeg
    local st=$cache/stage-ffmpeg; rm -rf "$st"; mkdir -p "$st"
    copy_elf "$st" /usr/bin/ffmpeg "$cache/stage-base"
    copy_elf "$st" /usr/bin/ffprobe "$cache/stage-base"
    mk_cpio "$st" "$cache/ffmpeg.cpio.zst"
    log "built ffmpeg layer: $(du -sh "$st" | cut -f1) -> $(du -h "$cache/ffmpeg.cpio.zst" | cut -f1) ($(elapsed "$t0") s)"
}

write_init() {
cat > "$1" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /usr/bin 2>/dev/null
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
ip link set lo up 2>/dev/null
. /etc/v4l2vm/paths.sh
. /etc/v4l2vm/run.conf
fail() { echo "V4L2VM: $*"; echo "@@V4L2VM-EXIT=125@@"; sync; poweroff -f; }
echo "V4L2VM: kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime)s, loading modules"
. /etc/v4l2vm/modules-v4l2.sh || fail "module load failed"
# no eval: insmod joins its arguments with spaces and the kernel parses the quotes itself
insmod $VIVID_KO $VIVID_ARGS || fail "vivid load failed"
insmod $LOOP_KO $LOOP_ARGS || fail "v4l2loopback load failed"
if [ -n "$SHARES$HOSTROOT" ]; then
    . /etc/v4l2vm/modules-9p.sh || fail "9p modules failed"
    i=0
    for d in $SHARES; do
        mkdir -p "$d"; mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none share$i "$d" || fail "mount $d"
        i=$((i+1))
    done
    if [ -n "$HOSTROOT" ]; then
        mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro,cache=loose hostroot /host || fail "mount hostroot"
        for d in dev proc sys; do mount --bind /$d /host/$d || fail "bind $d"; done
        mount -t tmpfs tmpfs /host/tmp; mount -t tmpfs tmpfs /host/run
    fi
fi
echo "V4L2VM: ready at $(cut -d' ' -f1 /proc/uptime)s:" $(ls /dev/video* 2>/dev/null)
for v in /sys/class/video4linux/video*; do echo "  /dev/${v##*/}: $(cat $v/name)"; done
cd "$CWD" 2>/dev/null || cd /tmp
t0=$(cut -d' ' -f1 /proc/uptime)
if [ -n "$HOSTROOT" ]; then
    eval "chroot /host /usr/bin/env -C \"\$CWD\" $ENVS $CMD"; rc=$?
else
    eval "env $ENVS $CMD"; rc=$?
fi
echo "V4L2VM: program exited with $rc after $(awk -v a=$t0 -v b=$(cut -d' ' -f1 /proc/uptime) 'BEGIN{print b-a}')s (uptime $(cut -d' ' -f1 /proc/uptime)s)"
echo "@@V4L2VM-EXIT=$rc@@"
sync
poweroff -f
EOF
chmod 755 "$1"
}

# ---------------------------------------------------------------- run --------
do_run() {
    local cache; cache=$(readlink -f "$1"); shift
    [ -e "$cache/base.cpio.zst" ] || die "no assets in $cache; run: $0 build $cache"
    local mem=2048 smp=2 timeout=900 kvm=0 ffmpeg=0 hostroot=0 cwd=/tmp
    local vivid_args="" loop_args='video_nr=10 card_label="SharpCam" exclusive_caps=1 max_buffers=2'
    local bins=() adds=() shares=() envs=()
    while (($#)); do
        case $1 in
            --bin) bins+=("$2"); shift 2;;
            --add) adds+=("$2"); shift 2;;
            --share) shares+=("$(readlink -f "$2")"); shift 2;;
            --env) envs+=("$2"); shift 2;;
            --cwd) cwd=$2; shift 2;;
            --ffmpeg) ffmpeg=1; shift;;
            --hostroot) hostroot=1; shift;;
            --vivid) vivid_args=$2; shift 2;;
            --loopback) loop_args=$2; shift 2;;
            --mem) mem=$2; shift 2;;
            --smp) smp=$2; shift 2;;
            --timeout) timeout=$2; shift 2;;
            --kvm) kvm=1; shift;;
            --) shift; break;;
            -*) die "unknown option $1";;
            *) break;;
        esac
    done
    (($#)) || die "no program given"
    local t0; t0=$(now)
    local work; work=$(mktemp -d "${TMPDIR:-/tmp}/v4l2vm.XXXXXX"); V4L2VM_WORK=$work
    trap 'rm -rf "$V4L2VM_WORK"' EXIT
    local st=$work/stage; mkdir -p "$st/etc/v4l2vm"
    local skip=("$cache/stage-base")
    local layers=("$cache/base.cpio.zst")
    if ((ffmpeg && !hostroot)); then build_ffmpeg_layer "$cache"; skip+=("$cache/stage-ffmpeg"); layers+=("$cache/ffmpeg.cpio.zst"); fi
    local prog=$1; shift
    if ((hostroot == 0)); then
        local p=$prog
        [[ $p == */* ]] || p=$(command -v "$p") || die "program $prog not found"
        p=$(readlink -f "$p"); prog=$p
        copy_elf "$st" "$p" "${skip[@]}"
        local b; for b in "${bins[@]}"; do
            [[ $b == */* ]] || b=$(command -v "$b"); copy_elf "$st" "$(readlink -f "$b")" "${skip[@]}"
        done
        local a src dst; for a in "${adds[@]}"; do
            src=${a%%:*}; dst=${a#*:}; [ "$dst" != "$a" ] || dst=$(readlink -f "$src")
            mkdir -p "$st$(dirname "$dst")"; cp -a "$src" "$st$dst"
        done
    fi
    local cmd="" x; for x in "$prog" "$@"; do cmd+="$(q "$x") "; done
    local envq="" ; for x in "${envs[@]}"; do envq+="$(q "$x") "; done
    {
        echo "VIVID_ARGS=$(q "$vivid_args")"; echo "LOOP_ARGS=$(q "$loop_args")"
        echo "CMD=$(q "$cmd")"; echo "ENVS=$(q "$envq")"; echo "CWD=$(q "$cwd")"
        echo "SHARES=$(q "${shares[*]}")"; echo "HOSTROOT=$( ((hostroot)) && echo 1)"
    } > "$st/etc/v4l2vm/run.conf"
    mk_cpio "$st" "$work/run.cpio.zst"
    cat "${layers[@]}" "$work/run.cpio.zst" > "$work/initrd"
    local qargs=(-m "$mem" -smp "$smp" -nodefaults -no-user-config -display none -serial stdio
                 -net none -no-reboot -kernel "$cache/vmlinuz" -initrd "$work/initrd"
                 -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init")
    if ((kvm)); then qargs+=(-accel kvm -cpu host,-arch-capabilities); else qargs+=(-accel tcg,thread=multi -cpu max); fi
    local i=0 d; for d in "${shares[@]}"; do
        qargs+=(-virtfs "local,path=$d,mount_tag=share$i,security_model=none,multidevs=remap"); i=$((i+1)); done
    ((hostroot)) && qargs+=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap")
    log "initrd $(du -h "$work/initrd" | cut -f1) prepared in $(elapsed "$t0") s; booting qemu"
    local t1; t1=$(now)
    set +e
    timeout -k 5 "$timeout" qemu-system-x86_64 "${qargs[@]}" < /dev/null 2>&1 | sed -u 's/\r$//' | tee "$work/console.log"
    set -e
    local rc; rc=$(sed -n 's/.*@@V4L2VM-EXIT=\([0-9]*\)@@.*/\1/p' "$work/console.log" | tail -1)
    log "VM ran $(elapsed "$t1") s (total $(elapsed "$t0") s); guest exit code: ${rc:-none}"
    [ -n "$rc" ] || { log "no exit marker from guest (crash, panic or timeout ${timeout}s)"; exit 125; }
    exit "$rc"
}

case ${1:-} in
    build) [ $# -eq 2 ] || die "usage: $0 build CACHE"; do_build "$2";;
    run) [ $# -ge 3 ] || die "usage: $0 run CACHE [opts] -- PROG [ARGS...]"; shift; do_run "$@";;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2;;
esac
