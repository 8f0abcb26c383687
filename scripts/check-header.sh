#!/usr/bin/env bash
# Fails when include/weft.h is not what cbindgen generates from src/ffi today.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cbindgen-version.sh
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
cbindgen --config cbindgen.toml --crate weft --quiet --output "$fresh"
if ! diff -u include/weft.h "$fresh"; then
  echo "include/weft.h is stale: run scripts/gen-header.sh and commit the result." >&2
  exit 1
fi
echo "include/weft.h is fresh"
