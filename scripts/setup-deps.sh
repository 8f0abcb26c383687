#!/usr/bin/env bash
# Installs what building and testing weft needs on Debian 12, and nothing that is already
# there (safe to run again): the apt packages below, and cbindgen 0.29.x through cargo.
# Run as root, or as a user with sudo. Needs no tty. Rust (cargo) must already be
# installed, e.g. with rustup.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(build-essential cmake pkg-config libclang-dev clang valgrind libuv1-dev
          libglib2.0-dev python3 git doxygen
          python3-pip libpython3.11-testsuite   # Python binding tests (CPython's test pkg)
          python3-dev                            # the binding's optional C accelerator
          python3-venv                           # its install test: pip install into a venv
          libgtk-4-dev xvfb xauth                # examples/gtk_net and its headless gui tests
          golang-go)                             # the Go binding (bindings/go), Go 1.19

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    # sudo resets the environment: pass DEBIAN_FRONTEND through env. Without a tty,
    # never wait for a password prompt.
    if [ -t 0 ]; then sudo_opts=(); else sudo_opts=(-n); fi
    as_root=(sudo "${sudo_opts[@]}" env DEBIAN_FRONTEND=noninteractive)
  else
    as_root=(false)
  fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${as_root[0]:-}" = false ]; then
    echo "setup-deps: missing ${missing[*]}; run this as root (or install sudo)" >&2
    exit 1
  fi
  echo "setup-deps: apt-get install ${missing[*]}"
  # Wait for another apt (e.g. unattended-upgrades on a fresh machine) instead of failing.
  apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
  "${as_root[@]}" apt-get "${apt_opts[@]}" update -qq
  "${as_root[@]}" apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends \
    "${missing[@]}" </dev/null
else
  echo "setup-deps: apt packages present"
fi

cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$cargo_bin:$PATH"   # first, so a cargo-installed cbindgen beats Debian's
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup-deps: cargo not found (looked in PATH and $cargo_bin)." >&2
  echo "Install Rust first: https://rustup.rs (then open a new shell or 'source ~/.cargo/env')." >&2
  exit 1
fi

# The header generator, pinned: Debian's cbindgen (0.24) cannot read edition-2024 code.
if cbindgen --version 2>/dev/null | grep -q '^cbindgen 0\.29\.'; then
  echo "setup-deps: $(cbindgen --version) present"
else
  echo "setup-deps: cargo install --locked cbindgen --version ^0.29 (found: $(cbindgen --version 2>/dev/null || echo none))"
  cargo install --locked --quiet cbindgen --version '^0.29'
  hash -r
  if ! cbindgen --version 2>/dev/null | grep -q '^cbindgen 0\.29\.'; then
    echo "setup-deps: cbindgen 0.29.x is still not first in PATH: $(command -v cbindgen)" >&2
    exit 1
  fi
fi
# The Python binding's test and benchmark dependencies, for the python3 that ctest uses
# (Debian's is externally managed, PEP 668: hence --break-system-packages, which only
# lets pip install these into /usr/local). Skipped when they are already importable.
# (anyio 4 runs on trio >= 0.32 only: an older trio fails the anyio-on-trio tests; build and
# auditwheel: the install test.)
py_mods=(pytest "trio>=0.32" anyio aiologic janus culsans build auditwheel)
py_names=("${py_mods[@]%%[<>=]*}")
if ! python3 -c "import $(IFS=,; echo "${py_names[*]}")
assert tuple(map(int, trio.__version__.split('.')[:2])) >= (0, 32)" >/dev/null 2>&1; then
  echo "setup-deps: pip install ${py_mods[*]} (for $(command -v python3))"
  pip_opts=(--quiet --disable-pip-version-check --no-input)
  if python3 -m pip install --help 2>/dev/null | grep -q -- --break-system-packages; then
    pip_opts+=(--break-system-packages)
  fi
  if [ "$(id -u)" -ne 0 ]; then pip_opts+=(--user); fi
  python3 -m pip install "${pip_opts[@]}" "${py_mods[@]}" </dev/null
else
  echo "setup-deps: python modules present (${py_names[*]})"
fi
echo "setup-deps: ok"
