#!/usr/bin/env bash
# ctest's install_consumer (and the last step of library_only_build): installs a
# configured and built weft (build dir = $1) into a scratch prefix and checks
# - the installed tree: exactly include/'s headers, libweft.so.X.Y.Z with its links
#   libweft.so.MAJOR and libweft.so, libweft.a, the CMake package and weft.pc;
# - the shared library: soname libweft.so.MAJOR, executable, no debug info, no exported
#   symbol but weft_*; the static library: no debug info;
# then builds and runs one small C consumer three ways: find_package(weft) with
# weft::weft (shared), find_package(weft) with weft::weft_static, and
# `pkg-config --cflags --libs weft`. Needs only a C compiler.
set -euo pipefail
build_dir="$(cd "${1:?usage: check-install.sh <cmake build dir>}" && pwd)"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
prefix="$scratch/prefix"
fail() { echo "check-install: $*" >&2; exit 1; }

echo "== cmake --install $build_dir --prefix $prefix"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
(cd "$prefix" && find . ! -type d | sort)

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
major=${version%%.*}
[ -n "$version" ] || fail "no CMAKE_PROJECT_VERSION in $build_dir/CMakeCache.txt"
pc_file=$(find "$prefix" -name weft.pc)
libdir=$(dirname "$(dirname "$pc_file")")
rel_libdir=${libdir#"$prefix"/}

echo "== the installed tree (weft $version, libdir $rel_libdir)"
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
headers=$(cd "$source_dir" && find include -name '*.h' -o -name '*.hpp')
# shellcheck disable=SC2086
expected=$(printf '%s\n' $headers \
  "$rel_libdir/libweft.so" "$rel_libdir/libweft.so.$major" "$rel_libdir/libweft.so.$version" \
  "$rel_libdir/libweft.a" "$rel_libdir/cmake/weft/weftConfig.cmake" \
  "$rel_libdir/cmake/weft/weftConfigVersion.cmake" "$rel_libdir/pkgconfig/weft.pc" | sort)
installed=$(cd "$prefix" && find . ! -type d | sed 's|^\./||' | sort)
[ "$installed" = "$expected" ] || fail "installed files differ from the expected list:
$(diff <(echo "$expected") <(echo "$installed"))"

real="$libdir/libweft.so.$version"
[ -f "$real" ] && [ ! -L "$real" ] || fail "$real is not a regular file"
[ "$(readlink "$libdir/libweft.so.$major")" = "libweft.so.$version" ] \
  || fail "libweft.so.$major does not link to libweft.so.$version"
[ "$(readlink "$libdir/libweft.so")" = "libweft.so.$major" ] \
  || fail "libweft.so does not link to libweft.so.$major"
soname=$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libweft.so.$major" ] || fail "soname of $real is '$soname', not libweft.so.$major"
[ "$(stat -c %a "$real")" = 755 ] || fail "$real has mode $(stat -c %a "$real"), not 755"
[ "$(stat -c %a "$libdir/libweft.a")" = 644 ] || fail "libweft.a has mode $(stat -c %a "$libdir/libweft.a")"
if grep -q WEFT_STRIP:BOOL=ON "$build_dir/CMakeCache.txt"; then
  for lib in "$real" "$libdir/libweft.a"; do
    if readelf -S -W "$lib" | grep -q '\.debug_'; then fail "$lib has debug sections"; fi
  done
fi
foreign=$(nm -D --defined-only "$real" | awk '$3 !~ /^weft_/')
[ -z "$foreign" ] || fail "$real exports non-weft symbols:
$foreign"
echo "soname $soname; links libweft.so -> libweft.so.$major -> libweft.so.$version;" \
  "sizes: $(stat -c %s "$real") bytes (shared), $(stat -c %s "$libdir/libweft.a") bytes (static)"

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
    if (weft_version() != WEFT_VERSION) return 8; /* the installed header and library agree */
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
# the shared consumer recorded the soname and found it in the prefix (its rpath)
readelf -d "$scratch/consumer/build/consumer" | grep -q "NEEDED.*\[libweft\.so\.$major\]" \
  || fail "consumer does not record libweft.so.$major"
if readelf -d "$scratch/consumer/build/consumer_static" | grep -q 'libweft\.so'; then
  fail "consumer_static links libweft.so: weft::weft_static is not static"
fi
echo "consumer_static (libweft.a linked in): $(stat -c %s "$scratch/consumer/build/consumer_static") bytes"

echo "== pkg-config --cflags --libs weft"
export PKG_CONFIG_PATH="$(dirname "$pc_file")"
flags=$(pkg-config --cflags --libs weft)
echo "pkg-config: $flags"
[ "$(pkg-config --modversion weft)" = "$version" ] || fail "weft.pc says $(pkg-config --modversion weft), not $version"
# shellcheck disable=SC2086
cc -o "$scratch/consumer/pc" "$scratch/consumer/main.c" $flags
LD_LIBRARY_PATH="$(pkg-config --variable=libdir weft)" "$scratch/consumer/pc"
echo "install ok: find_package (shared, static) and pkg-config"
