#!/usr/bin/env bash
# web-console.sh [SECONDS] [SHARPCAMD]: what the web console costs the real daemon (demo clip,
# 720p, nn, 30 fps, null output): the daemon's CPU (utime + stime from /proc/PID/stat, % of one
# core) over SECONDS (default 20) in three phases of the same run: the console off (a second
# daemon without --web, run first), the console on with no page open, and the console on with a
# client doing what the page does (the live view as fast as it comes back, at most 15 a second,
# and the status once a second; Tests/Web/console_browser_test.py drives the page itself). The
# client runs in Python on the same machine; only the daemon's CPU is counted.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
bin=${2:-$(swift build -c release --show-bin-path)/sharpcamd}
python=${SHARPCAM_PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/sharpcam-webbench.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
measure() { # PID LABEL: % of one core over $seconds
  local a b; a=$(cpu "$1"); sleep "$seconds"; b=$(cpu "$1")
  echo "$2: $(echo "($b - $a) * 100 / $(getconf CLK_TCK) / $seconds" | bc -l | xargs printf '%.1f') % of one core"
}
common=(--input demo --output null --mode nn --no-on-demand --stats-interval 3600)
"$bin" "${common[@]}" --control "$work/off" 2>/dev/null & off=$!
sleep 5; measure $off "console off            "; kill $off; wait $off 2>/dev/null || true
"$bin" "${common[@]}" --control "$work/on" --web 127.0.0.1:0 2>/dev/null & on=$!
sleep 5
url=$("$bin" ctl web --socket "$work/on")
measure $on "console on, no page    "
"$python" - "$url" "$work/requests" <<'PY' &
import sys, time, urllib.request
base, token = sys.argv[1].split("/?token=")
headers = {"X-SharpCam-Token": token}
n, last_status, t0 = 0, 0.0, time.time()
while True:
    start = time.time()
    urllib.request.urlopen(urllib.request.Request(base + "/api/live.jpg", headers=headers)).read()
    n += 1
    if start - last_status >= 1:
        urllib.request.urlopen(urllib.request.Request(base + "/api/status", headers=headers)).read()
        last_status = start
    open(sys.argv[2], "w").write(f"{n / (time.time() - t0):.1f}")
    time.sleep(max(0, 1 / 15 - (time.time() - start)))
PY
client=$!
sleep 3
measure $on "console on, page open  "
echo "live view: $(cat "$work/requests") JPEGs/s"
kill $client $on
