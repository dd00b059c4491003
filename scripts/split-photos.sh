#!/usr/bin/env bash
# split-photos.sh PHOTOS OUT: links the photos of PHOTOS into OUT/train and OUT/val, the
# validation split being the names in scripts/validation-photos.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${1:?usage: split-photos.sh PHOTOS OUT}" && pwd)
out=${2:?usage: split-photos.sh PHOTOS OUT}
mkdir -p "$out/train" "$out/val"
rm -f "$out/train"/*.png "$out/val"/*.png
val=$(grep -v '^#' "$here/validation-photos.txt" | sed '/^$/d')
n_train=0; n_val=0
for f in "$src"/*.png; do
  name=$(basename "$f" .png)
  if grep -qx "$name" <<<"$val"; then ln -s "$f" "$out/val/"; n_val=$((n_val+1)); else ln -s "$f" "$out/train/"; n_train=$((n_train+1)); fi
done
echo "split-photos: $n_train training, $n_val validation photos in $out" >&2
