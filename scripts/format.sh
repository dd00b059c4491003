#!/usr/bin/env bash
# format.sh [--check]: formats the Swift sources (swift format, .swift-format) and the C sources
# (clang-format, .clang-format) in place; with --check, changes nothing and fails when a file is
# not formatted or a line is longer than 120 characters. Generated files are left alone
# (Sources/CDefaultWeights/default_student.c: the weights as a byte array).
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
[ "${1:-}" = "--check" ] && check=1

mapfile -t swift_files < <(git ls-files -co --exclude-standard -- 'Package.swift' '*.swift')
mapfile -t c_files < <(git ls-files -co --exclude-standard -- '*.c' '*.h' | grep -v '^Sources/CDefaultWeights/default_student.c$')

if [ $check -eq 0 ]; then
  swift format format --configuration .swift-format --in-place --parallel "${swift_files[@]}"
  clang-format -i --style=file "${c_files[@]}"
  exit 0
fi

status=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/sharpcam-format.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
for f in "${swift_files[@]}" "${c_files[@]}" .swift-format .clang-format; do
  mkdir -p "$scratch/$(dirname "$f")"
  cp "$f" "$scratch/$f"
done
(cd "$scratch" && swift format format --configuration .swift-format --in-place --parallel "${swift_files[@]}" \
  && clang-format -i --style=file "${c_files[@]}")
for f in "${swift_files[@]}" "${c_files[@]}"; do
  if ! cmp -s "$f" "$scratch/$f"; then
    echo "format.sh: $f is not formatted (run scripts/format.sh)" >&2
    diff -u "$f" "$scratch/$f" | head -20 >&2 || true
    status=1
  fi
done
long=$(LC_ALL=C.UTF-8 awk 'length($0) > 120 { print FILENAME ":" FNR ": " length($0) " characters" }' "${swift_files[@]}" "${c_files[@]}")
if [ -n "$long" ]; then
  echo "format.sh: lines longer than 120 characters:" >&2
  echo "$long" >&2
  status=1
fi
[ $status -eq 0 ] && echo "format.sh: ${#swift_files[@]} Swift and ${#c_files[@]} C files formatted, lines <= 120" >&2
exit $status
