#!/usr/bin/env bash
# A short libFuzzer run of fuzz/ (the C ABI driver), for local runs: needs a nightly
# toolchain and cargo-fuzz (cargo install cargo-fuzz). New inputs go to a scratch corpus
# under the build directory; the checked-in seed corpus fuzz/corpus/abi is only read.
#
#   bash scripts/fuzz-smoke.sh [seconds] [scratch-dir]      (default 30 s, target/fuzz-corpus)
#
# Exit 77 (ctest: skipped) without nightly or cargo-fuzz, and under CI (CI=true: stable
# toolchains only there; tests/c/test_random_args.c runs the same driver on any toolchain).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-30}"
scratch="${2:-$PWD/target/fuzz-corpus}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

if [ "${CI:-}" = true ]; then
  echo "fuzz-smoke: skipped under CI (stable toolchains only)"; exit 77
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz-smoke: skipped: no nightly toolchain"; exit 77
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: skipped: no cargo-fuzz (cargo install cargo-fuzz)"; exit 77
fi
mkdir -p "$scratch"
cd fuzz
cargo +nightly fuzz run abi "$scratch" corpus/abi -- -max_total_time="$seconds" -max_len=1024 \
  -print_final_stats=1
