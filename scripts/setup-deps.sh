#!/usr/bin/env bash
# Installs what building and testing weft needs on Debian 12 (idempotent; run as root, or
# as a user with sudo). Rust (cargo) must already be installed, e.g. with rustup.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-deps: run as root (or install sudo)" >&2; exit 1; fi
fi

packages=(build-essential cmake pkg-config libclang-dev clang valgrind libuv1-dev libglib2.0-dev python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup-deps: cargo not found; install Rust first (https://rustup.rs)" >&2
  exit 1
fi

# The header generator, pinned: Debian's cbindgen (0.24) cannot read edition-2024 code.
if ! cbindgen --version 2>/dev/null | grep -q '^cbindgen 0\.29\.'; then
  echo "setup-deps: installing cbindgen 0.29"
  cargo install --locked --quiet cbindgen --version '^0.29'
fi
echo "setup-deps: ok"
