#!/usr/bin/env bash
# pipewire-session.sh DIR: a private PipeWire session for tests, as a desktop runs it:
# `pipewire` and `wireplumber` under `dbus-run-session`, with XDG_RUNTIME_DIR=DIR (created 0700;
# the socket is DIR/pipewire-0). DIR/session.pid is the session's shell: SIGTERM to it stops
# everything. DIR/session.pids holds "PIPEWIRE WIREPLUMBER": when pipewire dies (a crash, an
# upgrade, or a test killing it) both are started again, as systemd's user units would.
# Nothing outside DIR is touched.
set -euo pipefail
dir=$1
mkdir -p "$dir"
chmod 700 "$dir"
export XDG_RUNTIME_DIR=$dir
unset PIPEWIRE_REMOTE PIPEWIRE_RUNTIME_DIR DBUS_SESSION_BUS_ADDRESS
exec dbus-run-session -- bash -c '
  echo $$ > "$XDG_RUNTIME_DIR/session.pid"
  pw=""; wp=""
  trap "kill \$wp \$pw 2>/dev/null; wait 2>/dev/null; rm -f \"\$XDG_RUNTIME_DIR/session.pids\"; exit 0" TERM INT
  while true; do
    rm -f "$XDG_RUNTIME_DIR/session.pids"
    pipewire & pw=$!
    for _ in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/pipewire-0" ] && break; sleep 0.05; done
    wireplumber & wp=$!
    echo "$pw $wp" > "$XDG_RUNTIME_DIR/session.pids"
    wait $pw || true
    kill $wp 2>/dev/null || true
    wait $wp 2>/dev/null || true
    sleep 0.2
  done
' > "$dir/session.log" 2>&1
