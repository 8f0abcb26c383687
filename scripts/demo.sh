#!/usr/bin/env bash
# Builds libweft and runs the headline demo, examples/headline_uv.c (two threads, each with a
# libuv loop running two tasks, share one lock in FIFO order), then examples/demo.c (two
# threads and a poll(2) loop sharing one lock).
# Installs what it needs first (scripts/setup-deps.sh). Works from any directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "==> scripts/setup-deps.sh (apt packages and cbindgen, only what is missing)"
bash scripts/setup-deps.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

echo "==> cmake -S . -B build -DCMAKE_BUILD_TYPE=Release"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
echo "==> cmake --build build -j2 --target headline_uv demo (cargo build --release -p weft, then the examples)"
cmake --build build -j2 --target headline_uv demo
echo "==> build/headline_uv"
./build/headline_uv
echo "==> build/demo"
./build/demo
