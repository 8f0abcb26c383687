#!/usr/bin/env bash
# Installs the build into a scratch prefix and builds a C++ consumer against the installed
# weft.hpp (found through pkg-config), then runs it. Usage: check_install.sh <build-dir> <c++>
set -euo pipefail
build="$1"
cxx="${2:-c++}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" > /dev/null
test -f "$scratch/prefix/include/weft.hpp"
pcdir="$(dirname "$(find "$scratch/prefix" -name weft.pc | head -1)")"
cat > "$scratch/consumer.cpp" <<'CPP'
#include <weft.hpp>
#include <mutex>
int main() {
    weft::mutex a, b;
    std::scoped_lock both(a, b);
    weft::queue<std::unique_ptr<int>> q;
    q.put(std::make_unique<int>(7));
    return *q.get() == 7 ? 0 : 1;
}
CPP
# shellcheck disable=SC2046
"$cxx" -std=c++17 -Wall -Wextra -Werror "$scratch/consumer.cpp" -o "$scratch/consumer" \
    $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs weft) \
    -Wl,-rpath,"$scratch/prefix/lib" -Wl,-rpath,"$(dirname "$(find "$scratch/prefix" -name libweft.so | head -1)")"
"$scratch/consumer"
echo "installed weft.hpp: ok"
