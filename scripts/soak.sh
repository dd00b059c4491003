#!/usr/bin/env bash
# soak.sh [SECONDS] [SHARPCAMD]: runs the live daemon (the generated demo into the null output,
# the network at 640x360) for SECONDS (default 120; longer by hand) and checks that it holds up:
# RSS and open file descriptors do not grow after the warm-up, a storm of SIGHUPs alternating
# good and bad configurations changes nothing it should not, SIGSTOP/SIGCONT does no harm, and
# SIGTERM ends it with status 0 within 5 s. Prints "soak: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
bin=$(readlink -f "${2:-.build/debug/sharpcamd}")
work=$(mktemp -d "${TMPDIR:-/tmp}/sharpcam-soak.XXXXXX")
trap 'kill -9 $pid 2>/dev/null; rm -rf "$work"' EXIT
passed=0; failed=0
ok() { echo "soak: PASS: $*" >&2; passed=$((passed + 1)); }
ko() { echo "soak: FAIL: $*" >&2; failed=$((failed + 1)); }
conf="$work/sharpcamd.conf"
write_conf() { printf '%s\n' "$@" > "$conf.new" && mv "$conf.new" "$conf"; }
good() { write_conf "input = demo" "output = null" "size = 640x360" "mode = nn" "stats-interval = 5" "strength = $1"; }
good 1.0
"$bin" --config "$conf" > "$work/daemon.log" 2>&1 &
pid=$!
rss() { awk '/VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0; }
fds() { ls "/proc/$pid/fd" 2>/dev/null | wc -l; }
warm=$((seconds / 6 > 10 ? seconds / 6 : 10))
sleep "$warm"
kill -0 $pid 2>/dev/null && ok "running after ${warm} s of warm-up" || { ko "daemon died during warm-up"; tail -5 "$work/daemon.log" >&2; exit 1; }
rss0=$(rss); fds0=$(fds); max_rss=$rss0
echo "soak: after warm-up: RSS ${rss0} kB, ${fds0} fds" >&2
# A storm of reloads: good and bad configurations alternate.
storm() {
for i in $(seq 1 40); do
  case $((i % 4)) in
    0) good 0.5 ;;
    1) write_conf "input = demo" "output = null" "size = 640x360" "fps = nan" ;;
    2) good 1.0 ;;
    3) write_conf "mode = classic" "radius = 0" ;;
  esac
  kill -HUP $pid
  sleep 0.15
done
good 1.0; kill -HUP $pid
}
storm
# Descriptors are counted from here: the first signals make the runtime open its own.
fds0=$(fds)
kill -0 $pid 2>/dev/null && ok "survived 41 SIGHUPs (half of them with bad configurations)" || ko "died in the SIGHUP storm"
grep -q "reload failed, keeping the running configuration" "$work/daemon.log" && grep -q "reloaded:" "$work/daemon.log" \
  && ok "bad reloads were refused and logged, good ones applied" || ko "reload log lines missing"
kill -STOP $pid; sleep 3; kill -CONT $pid
sleep 2
kill -0 $pid 2>/dev/null && ok "survived SIGSTOP for 3 s and SIGCONT" || ko "died after SIGSTOP/SIGCONT"
end=$((SECONDS + seconds - warm - 20))
while [ $SECONDS -lt $end ]; do
  sleep 2
  r=$(rss); [ "$r" -gt "$max_rss" ] && max_rss=$r
done
storm
sleep 1
rss1=$(rss); fds1=$(fds)
echo "soak: at the end: RSS ${rss1} kB (max ${max_rss} kB), ${fds1} fds" >&2
growth=$((rss1 - rss0))
[ $growth -lt 8192 ] && ok "RSS grew ${growth} kB after the warm-up (< 8 MB)" || ko "RSS grew ${growth} kB"
[ "$fds1" -le "$fds0" ] && ok "open file descriptors after a second SIGHUP storm: ${fds0} → ${fds1}" \
  || ko "file descriptors grew: ${fds0} → ${fds1}"
start_ns=$(date +%s%N)
kill -TERM $pid
for _ in $(seq 1 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then
  ko "still running 5 s after SIGTERM"
else
  wait $pid; rc=$?
  took=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  [ $rc -eq 0 ] && ok "SIGTERM: exit 0 after ${took} ms" || ko "SIGTERM: exit status $rc"
fi
grep -qiE "fatal error|Illegal instruction|core dumped" "$work/daemon.log" && ko "crash in the log" || ok "no crash in the log"
echo "soak: $passed passed, $failed failed"
[ $failed -eq 0 ]
