#!/usr/bin/env bash
# quickstart.sh [OUTPUT]: installs what is missing (apt), builds SharpCam in release mode and
# runs the main job on the built-in defaults: with no camera at hand it sharpens SharpCam's
# generated test clip (a soft 1280x720 scene) with the built-in student network and writes
# the input and the result side by side to OUTPUT (default out/sharpcam-demo.mp4).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
swift build -c release --product sharpcamd
out=${1:-out/sharpcam-demo.mp4}
mkdir -p "$(dirname "$out")"
.build/release/sharpcamd --demo --output "$out"
echo "quickstart: open $out (left: input, right: sharpened)" >&2
