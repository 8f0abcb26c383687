#!/usr/bin/env bash
# Builds weft and runs every test suite (cargo, loom, C under ASan and valgrind, header,
# install, demo, benchmark smoke) through ctest. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2
ctest --test-dir build --output-on-failure -j2
