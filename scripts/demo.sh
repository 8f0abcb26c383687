#!/usr/bin/env bash
# Builds libweft and runs examples/demo.c: two threads and an event loop sharing one lock.
# Installs what it needs first (scripts/setup-deps.sh). Works from any directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "==> scripts/setup-deps.sh (apt packages and cbindgen, only what is missing)"
bash scripts/setup-deps.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

echo "==> cmake -S . -B build -DCMAKE_BUILD_TYPE=Release"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
echo "==> cmake --build build -j2 --target demo (cargo build --release -p weft, then examples/demo.c)"
cmake --build build -j2 --target demo
echo "==> build/demo"
./build/demo
