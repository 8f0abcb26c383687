#!/usr/bin/env bash
# ctest's header_fresh: fails, showing the diff, when include/weft.h is not exactly what
# the pinned cbindgen (0.29.x) generates from src/ffi today.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/cbindgen-version.sh
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
cbindgen --config cbindgen.toml --crate weft --quiet --output "$fresh"
if ! diff -u --label include/weft.h --label "cbindgen output" include/weft.h "$fresh"; then
  echo "include/weft.h is stale: run scripts/gen-header.sh and commit the result." >&2
  exit 1
fi
echo "include/weft.h is fresh ($(cbindgen --version))"
