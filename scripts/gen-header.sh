#!/usr/bin/env bash
# Regenerates include/weft.h from src/ffi with the pinned cbindgen.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cbindgen-version.sh
cbindgen --config cbindgen.toml --crate weft --quiet --output include/weft.h
echo "include/weft.h regenerated"
