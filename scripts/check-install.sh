#!/usr/bin/env bash
# ctest's install_consumer: installs a configured and built weft (build dir = $1) into a
# scratch prefix, then builds and runs one small consumer three ways: find_package(weft)
# with weft::weft (shared), find_package(weft) with weft::weft_static, and
# `pkg-config --cflags --libs weft`.
set -euo pipefail
build_dir="$(cd "${1:?usage: check-install.sh <cmake build dir>}" && pwd)"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
prefix="$scratch/prefix"

echo "== cmake --install $build_dir --prefix $prefix"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
(cd "$prefix" && find . -type f | sort)

mkdir -p "$scratch/consumer"
cat > "$scratch/consumer/main.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <weft.h>
int main(void) {
    weft_lock *lock = NULL;
    uint64_t me = 0, owner = 0;
    if (strcmp(weft_status_str(WEFT_TIMEOUT), "WEFT_TIMEOUT") != 0) return 1;
    if (weft_thread_owner(&me) != WEFT_OK || me == 0) return 2;
    if (weft_lock_new(WEFT_LOCK_FIFO, &lock) != WEFT_OK) return 3;
    if (weft_lock_acquire(lock, WEFT_FOREVER) != WEFT_OK) return 4;
    if (weft_lock_owner(lock, &owner) != WEFT_OK || owner != me) return 5;
    if (weft_lock_release(lock) != WEFT_OK) return 6;
    if (weft_lock_free(lock) != WEFT_OK) return 7;
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
add_executable(consumer_static main.c)
target_link_libraries(consumer_static PRIVATE weft::weft_static)
CM

echo "== find_package(weft): weft::weft and weft::weft_static"
cmake -S "$scratch/consumer" -B "$scratch/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$scratch/consumer/build" >/dev/null
"$scratch/consumer/build/consumer"
"$scratch/consumer/build/consumer_static"
if readelf -d "$scratch/consumer/build/consumer_static" | grep -q 'libweft\.so'; then
  echo "consumer_static links libweft.so: weft::weft_static is not static" >&2
  exit 1
fi

echo "== pkg-config --cflags --libs weft"
pc_file=$(find "$prefix" -name weft.pc)
export PKG_CONFIG_PATH="$(dirname "$pc_file")"
flags=$(pkg-config --cflags --libs weft)
echo "pkg-config: $flags"
# shellcheck disable=SC2086
cc -o "$scratch/consumer/pc" "$scratch/consumer/main.c" $flags
LD_LIBRARY_PATH="$(pkg-config --variable=libdir weft)" "$scratch/consumer/pc"
echo "install ok: find_package (shared, static) and pkg-config"
