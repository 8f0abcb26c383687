#!/usr/bin/env bash
# Installs weft into a scratch prefix, then builds and runs a consumer twice: through
# find_package(weft) and through pkg-config.
set -euo pipefail
build_dir="$1"
src_dir="$(cd "$(dirname "$0")/.." && pwd)"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null

mkdir -p "$scratch/consumer"
cat > "$scratch/consumer/main.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <weft.h>
int main(void) {
    weft_lock *lock = NULL;
    if (weft_lock_new(WEFT_LOCK_FIFO, &lock) != WEFT_OK) return 1;
    if (weft_lock_acquire(lock, WEFT_FOREVER) != WEFT_OK) return 2;
    if (weft_lock_release(lock) != WEFT_OK) return 3;
    if (weft_lock_free(lock) != WEFT_OK) return 4;
    if (strcmp(weft_status_str(WEFT_TIMEOUT), "WEFT_TIMEOUT") != 0) return 5;
    puts("consumer ok");
    return 0;
}
C
cat > "$scratch/consumer/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(weft 0.1 REQUIRED)
add_executable(consumer main.c)
target_link_libraries(consumer PRIVATE weft::weft)
CM
cmake -S "$scratch/consumer" -B "$scratch/consumer/build" -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/consumer/build" >/dev/null
"$scratch/consumer/build/consumer"

export PKG_CONFIG_PATH="$scratch/prefix/lib/pkgconfig:$scratch/prefix/lib/x86_64-linux-gnu/pkgconfig"
# shellcheck disable=SC2046
cc -o "$scratch/consumer/pc" "$scratch/consumer/main.c" $(pkg-config --cflags --libs weft)
LD_LIBRARY_PATH="$(pkg-config --variable=libdir weft)" "$scratch/consumer/pc"
echo "install ok: find_package and pkg-config"
