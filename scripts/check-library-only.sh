#!/usr/bin/env bash
# ctest's library_only_build: the packager's build. Configures this source tree into a
# scratch build directory with -DBUILD_TESTING=OFF -DWEFT_BUILD_EXAMPLES=OFF, builds it,
# and checks that
# - no C++ compiler was looked for (CMake enabled C only);
# - nothing but the library was built: no test, example or benchmark program;
# then installs it and checks what got installed, and consumes it, with check-install.sh
# (soname, link chain, stripped, permissions, exports, find_package and pkg-config).
# Usage: check-library-only.sh <cargo target dir>   (shared with the main build, so the
# library cargo already built is reused)
set -euo pipefail
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_dir="${1:?usage: check-library-only.sh <cargo target dir>}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
build="$scratch/build"
fail() { echo "check-library-only: $*" >&2; exit 1; }

echo "== cmake -S $source_dir -B $build -DBUILD_TESTING=OFF -DWEFT_BUILD_EXAMPLES=OFF"
# CXX names no compiler: configuring fails if anything enables C++.
CXX=/nonexistent/c++ cmake -S "$source_dir" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_TESTING=OFF -DWEFT_BUILD_EXAMPLES=OFF "-DWEFT_TARGET_DIR=$target_dir" >/dev/null
cmake --build "$build" >/dev/null

if compgen -G "$build/CMakeFiles/*/CMakeCXXCompiler.cmake" >/dev/null; then
  fail "the library-only configuration looked for a C++ compiler"
fi
grep -q '^CMAKE_CXX_COMPILER:' "$build/CMakeCache.txt" && fail "CMAKE_CXX_COMPILER is set"
# Programs CMake built (outside its own compiler checks) and object files: there must be none.
built=$(find "$build" -path "$build/CMakeFiles/[0-9]*" -prune -o -type f \
  \( -name '*.o' -o -perm -u+x \) ! -path "$build/installed-lib/*" -print)
[ -z "$built" ] || fail "the library-only build built programs or objects:
$built"
echo "built: the library only (no C++ compiler, no program)"

bash "$source_dir/scripts/check-install.sh" "$build"
