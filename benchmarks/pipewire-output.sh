#!/usr/bin/env bash
# pipewire-output.sh [SECONDS]: the PipeWire output's cost per frame next to the null output's,
# in the real daemon (720p, nn, 30 fps, --no-on-demand), with a GStreamer consumer linked.
# Heap allocations are counted by an LD_PRELOAD shim over the whole process; two runs of
# different length per output give the steady-state allocations per frame (the difference of
# the counts over the difference of the frames written), free of start-up and exit. The output
# stage's p50/p99 come from `sharpcamd ctl status`. Runs a private PipeWire session.
set -euo pipefail
cd "$(dirname "$0")/.."
long=${1:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/sharpcam-pwbench.XXXXXX")
cat > "$work/count.c" <<'C'
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
extern void *__libc_malloc(size_t); extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t); extern void *__libc_memalign(size_t, size_t);
static atomic_ulong n;
void *malloc(size_t s) { atomic_fetch_add(&n, 1); return __libc_malloc(s); }
void *calloc(size_t a, size_t b) { atomic_fetch_add(&n, 1); return __libc_calloc(a, b); }
void *realloc(void *p, size_t s) { atomic_fetch_add(&n, 1); return __libc_realloc(p, s); }
int posix_memalign(void **o, size_t a, size_t s) { atomic_fetch_add(&n, 1); *o = __libc_memalign(a, s); return *o ? 0 : 12; }
void *aligned_alloc(size_t a, size_t s) { atomic_fetch_add(&n, 1); return __libc_memalign(a, s); }
__attribute__((destructor)) static void done(void) {
    const char *f = getenv("COUNT_OUT"); FILE *o = f ? fopen(f, "w") : NULL;
    if (o) { fprintf(o, "%lu\n", atomic_load(&n)); fclose(o); }
}
C
cc -O2 -shared -fPIC -o "$work/count.so" "$work/count.c"
bin=$(swift build --show-bin-path)/sharpcamd
bash scripts/pipewire-session.sh "$work/run" &
trap 'for p in $(cat "$work/run/session.pid" "$work/run/session.pids" 2>/dev/null); do kill -9 $p 2>/dev/null; done; rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR=$work/run
for _ in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/pipewire-0" ] && break; sleep 0.1; done
sleep 2
run() { # OUTPUT SECONDS → "allocations written p50 p99"
  LD_PRELOAD=$work/count.so COUNT_OUT=$work/n-$1-$2 "$bin" --input demo --output "$1" --no-on-demand \
    --control "$work/ctl" > "$work/log-$1-$2" 2>&1 &
  local pid=$!
  sleep 6
  [ "$1" = pipewire ] && { timeout $(($2 + 10)) gst-launch-1.0 -q pipewiresrc target-object=sharpcam ! \
    video/x-raw,format=YUY2 ! fakesink > /dev/null 2>&1 & }
  sleep "$2"
  "$bin" ctl status --json --socket "$work/ctl" > "$work/st-$1-$2"
  kill -TERM $pid; wait $pid
  python3 - "$work/st-$1-$2" "$(cat "$work/n-$1-$2")" <<'P'
import json, sys
d = json.load(open(sys.argv[1])); o = d["latency"].get("output", {"p50_ms": 0, "p99_ms": 0})
print(sys.argv[2], d["written"], o["p50_ms"], o["p99_ms"])
P
}
for out in pipewire null; do
  read -r a1 w1 _ _ < <(run "$out" 10)
  read -r a2 w2 p50 p99 < <(run "$out" "$long")
  python3 -c "print('$out: output stage p50 %.3f ms, p99 %.3f ms; steady-state heap allocations per frame %.3f (%d over %d frames)' % ($p50, $p99, ($a2 - $a1) / ($w2 - $w1), $a2 - $a1, $w2 - $w1))"
done
