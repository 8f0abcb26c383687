#!/usr/bin/env bash
# ctest's release_script: runs scripts/release.sh in a scratch git repository holding a
# copy of this work tree's files (tracked, and new ones git does not ignore).
# `prepare 9.8.7` must write the version into every place and open the changelog
# section; `tag` must then create v9.8.7 with that section as its message, and refuse a
# dirty tree, a version mismatch and a second tag.
set -euo pipefail
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
repo="$scratch/repo"
fail() { echo "check-release: $*" >&2; exit 1; }
mkdir "$repo"
git -C "$source_dir" ls-files -z --cached --others --exclude-standard | (cd "$source_dir" && tar --null -T - -cf -) | tar -xf - -C "$repo"
cd "$repo"
git init -q && git add -A
git -c user.name=test -c user.email=test@invalid commit -qm base
# Cargo.lock and cbindgen read the workspace; keep their output out of the copied tree.
export CARGO_TARGET_DIR="$scratch/target"
commit() { git -c user.name=test -c user.email=test@invalid commit -qam "$1"; }

echo "== release.sh prepare 9.8.7"
sed -i '0,/^## \[Unreleased\]$/s//## [Unreleased]\n\n### Added\n\n- A release-script test entry./' CHANGELOG.md
bash scripts/release.sh prepare 9.8.7
grep -q '^version = "9.8.7"$' Cargo.toml || fail "Cargo.toml"
grep -q '^version = "9.8.7"$' bindings/python/pyproject.toml || fail "pyproject.toml"
grep -A1 '^name = "weft"$' Cargo.lock | grep -q '^version = "9.8.7"$' || fail "Cargo.lock"
grep -q '^#define WEFT_VERSION_MAJOR 9$' include/weft.h || fail "weft.h major"
grep -q '^#define WEFT_VERSION_MINOR 8$' include/weft.h || fail "weft.h minor"
grep -q '^#define WEFT_VERSION_PATCH 7$' include/weft.h || fail "weft.h patch"
grep -q "^## \[9.8.7\] - $(date -u +%F)$" CHANGELOG.md || fail "CHANGELOG.md section"
[ "$(grep -m1 '^## \[' CHANGELOG.md)" = "## [Unreleased]" ] || fail "no new [Unreleased] on top"

echo "== release.sh tag refuses a dirty tree"
if bash scripts/release.sh tag 2>/dev/null; then fail "tagged a dirty tree"; fi
commit "Release 9.8.7"

echo "== release.sh tag refuses a version mismatch"
sed -i 's/^\(pub const WEFT_VERSION_PATCH: u32 = \)7;/\16;/' src/ffi/version.rs
commit "mismatch"
if bash scripts/release.sh tag 2>/dev/null; then fail "tagged with version.rs at 9.8.6"; fi
git reset -q --hard HEAD~1

echo "== release.sh tag"
bash scripts/release.sh tag
message=$(git tag -l --format='%(contents)' v9.8.7)
echo "$message"
echo "$message" | grep -q '^weft 9.8.7$' || fail "tag message has no title"
echo "$message" | grep -q 'A release-script test entry' || fail "tag message lacks the changelog section"
[ "$(git rev-parse 'v9.8.7^{commit}')" = "$(git rev-parse HEAD)" ] || fail "tag not on HEAD"
if bash scripts/release.sh tag 2>/dev/null; then fail "tagged v9.8.7 twice"; fi
echo "release script ok"
