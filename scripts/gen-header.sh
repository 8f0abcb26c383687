#!/usr/bin/env bash
# Regenerates include/weft.h in place from src/ffi with the pinned cbindgen (0.29.x).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/cbindgen-version.sh
cbindgen --config cbindgen.toml --crate weft --quiet --output include/weft.h
echo "include/weft.h regenerated with $(cbindgen --version)"
