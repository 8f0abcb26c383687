#!/usr/bin/env bash
# Builds weft and runs the demo: threads and an event loop sharing one lock.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target demo
echo "--- running examples/demo.c ---"
./build/demo
