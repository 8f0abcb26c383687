# Sourced by the header scripts: insists on the pinned cbindgen 0.29.x.
export PATH="$HOME/.cargo/bin:$PATH"
if ! cbindgen --version 2>/dev/null | grep -q '^cbindgen 0\.29\.'; then
  echo "cbindgen 0.29.x is required (found: $(cbindgen --version 2>/dev/null || echo none))." >&2
  echo "Install it with: cargo install --locked cbindgen --version '^0.29'" >&2
  exit 1
fi
