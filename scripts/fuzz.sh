#!/usr/bin/env bash
# fuzz.sh [SECONDS]: builds the fuzz targets with libFuzzer and AddressSanitizer
# (Tests/Fuzz/sharpcam-fuzz, scratch .build-fuzz) and fuzzes each for SECONDS (default 30) from
# the committed seeds (Tests/Fuzz/corpus) and past crashes (Tests/Fuzz/regressions). New
# interesting inputs go to a scratch folder. A crash, leak, timeout or out-of-memory fails the
# run and names the input: commit it to Tests/Fuzz/regressions/TARGET/ with the fix, and every
# later `swift test` replays it (FuzzCorpusTests).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
swift build --product sharpcam-fuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld >&2
root=$PWD
fuzzer="$root/.build-fuzz/debug/sharpcam-fuzz"
work=$(mktemp -d "${TMPDIR:-/tmp}/sharpcam-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0; failed=0
for target in config weights y4m picture control; do
  mkdir -p "$work/$target"
  if (cd "$work" && SHARPCAM_FUZZ_TARGET=$target TMPDIR="$work" "$fuzzer" -max_total_time="$seconds" \
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=0 -artifact_prefix="$work/$target-" \
        "$work/$target" "$root/Tests/Fuzz/corpus/$target" "$root/Tests/Fuzz/regressions/$target" \
        > "$work/$target.log" 2>&1); then
    echo "fuzz.sh: $target: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$work/$target.log" | tail -1), no crash" >&2
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "fuzz.sh: $target: FAILED" >&2
    grep -E "ERROR|SUMMARY|Test unit written" "$work/$target.log" | head -5 >&2 || true
    for f in "$work/$target-"*; do
      [ -e "$f" ] || continue
      mkdir -p out/fuzz-crashes && cp "$f" out/fuzz-crashes/
      echo "fuzz.sh: crashing input kept in out/fuzz-crashes/$(basename "$f"): add it to Tests/Fuzz/regressions/$target/" >&2
    done
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
