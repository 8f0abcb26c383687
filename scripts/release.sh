#!/usr/bin/env bash
# Cuts a release in two steps, so that no version number or tag is ever typed twice
# (README "Cutting a release"; docs/abi.md says which number to choose):
#
#   scripts/release.sh prepare X.Y.Z   writes X.Y.Z into Cargo.toml, src/ffi/version.rs,
#                                      the header, Cargo.lock and the Python package, and
#                                      turns CHANGELOG.md's [Unreleased] into [X.Y.Z] - today;
#                                      then review, commit "Release X.Y.Z", merge after CI
#   scripts/release.sh tag             on the merged commit: checks that every place agrees
#                                      with Cargo.toml and creates the annotated tag vX.Y.Z,
#                                      its message the changelog section
#
# Tested by ctest's release_script (scripts/check-release.sh, in a scratch clone).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fail() { echo "release: $*" >&2; exit 1; }

cargo_version() { sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1; }
# The three numbers src/ffi/version.rs declares, as X.Y.Z.
declared_version() {
  local part out=()
  for part in MAJOR MINOR PATCH; do
    out+=("$(sed -n "s/^pub const WEFT_VERSION_$part: u32 = \([0-9]*\);$/\1/p" src/ffi/version.rs)")
  done
  (IFS=.; echo "${out[*]}")
}
# The body of CHANGELOG.md's "## [X.Y.Z] - date" section.
changelog_section() {
  awk -v head="## [$1] - " 'index($0, head) == 1 { on = 1; next } on && /^## \[/ { exit } on' CHANGELOG.md
}

prepare() {
  local version="$1" major minor patch today
  [[ "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || fail "not a version: $version"
  major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]} patch=${BASH_REMATCH[3]}
  git rev-parse -q --verify "refs/tags/v$version" >/dev/null && fail "v$version is already tagged"
  grep -q '^## \[Unreleased\]$' CHANGELOG.md || fail "CHANGELOG.md has no '## [Unreleased]' section"
  today=$(date -u +%F)

  sed -i "0,/^version = \".*\"$/s//version = \"$version\"/" Cargo.toml
  sed -i -e "s/^\(pub const WEFT_VERSION_MAJOR: u32 = \)[0-9]*;/\1$major;/" \
         -e "s/^\(pub const WEFT_VERSION_MINOR: u32 = \)[0-9]*;/\1$minor;/" \
         -e "s/^\(pub const WEFT_VERSION_PATCH: u32 = \)[0-9]*;/\1$patch;/" src/ffi/version.rs
  sed -i "0,/^version = \".*\"$/s//version = \"$version\"/" bindings/python/pyproject.toml
  sed -i "s/^## \[Unreleased\]$/## [Unreleased]\n\n## [$version] - $today/" CHANGELOG.md
  bash scripts/gen-header.sh >/dev/null
  cargo metadata --offline --format-version 1 >/dev/null # Cargo.lock follows Cargo.toml
  [ "$(declared_version)" = "$version" ] || fail "src/ffi/version.rs says $(declared_version)"
  echo "release: prepared $version (Cargo.toml, src/ffi/version.rs, include/weft.h, Cargo.lock,"
  echo "  bindings/python/pyproject.toml, CHANGELOG.md). Review, commit 'Release $version', merge."
}

tag() {
  local version message
  version=$(cargo_version)
  [ -z "$(git status --porcelain)" ] || fail "the work tree has changes: tag a committed state"
  [ "$(declared_version)" = "$version" ] || fail "Cargo.toml says $version, src/ffi/version.rs $(declared_version)"
  bash scripts/check-header.sh >/dev/null || fail "include/weft.h is stale"
  grep -q "^version = \"$version\"$" bindings/python/pyproject.toml \
    || fail "bindings/python/pyproject.toml is not at $version"
  message=$(changelog_section "$version")
  [ -n "$(echo "$message" | tr -d '[:space:]')" ] \
    || fail "CHANGELOG.md has no non-empty '## [$version] - <date>' section"
  git rev-parse -q --verify "refs/tags/v$version" >/dev/null && fail "v$version is already tagged"
  git tag -a "v$version" -F - <<<"weft $version
$message"
  echo "release: tagged v$version on $(git rev-parse --short HEAD)"
}

case "${1:-}" in
  prepare) prepare "${2:?usage: release.sh prepare X.Y.Z}" ;;
  tag) tag ;;
  *) fail "usage: release.sh prepare X.Y.Z | release.sh tag" ;;
esac
