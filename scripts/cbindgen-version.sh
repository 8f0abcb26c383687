# Sourced by gen-header.sh and check-header.sh: insists on the pinned cbindgen 0.29.x
# (Debian 12's cbindgen 0.24 cannot read edition-2024 `#[unsafe(no_mangle)]`, and other
# versions format the header differently, so the freshness check would fail).
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! cbindgen --version 2>/dev/null | grep -q '^cbindgen 0\.29\.'; then
  echo "cbindgen 0.29.x is required (found: $(cbindgen --version 2>/dev/null || echo none))." >&2
  echo "Install it with: cargo install --locked cbindgen --version '^0.29'" >&2
  echo "(or run: bash scripts/setup-deps.sh)" >&2
  exit 1
fi
