#!/usr/bin/env bash
# Tests scripts/release.sh in a throwaway git repository holding copies of
# pipe.yml, README.md, CHANGELOG.md and scripts/ (no build: --no-build).
# Run by .ci/run; prints "N passed, N failed".
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo="$work/repo"
mkdir -p "$repo/scripts"
cp "$src/pipe.yml" "$src/README.md" "$src/CHANGELOG.md" "$repo/"
cp "$src/scripts/release.sh" "$repo/scripts/"
cd "$repo"
git init -q -b main .
git -c user.name=t -c user.email=t@example.com add -A
git -c user.name=t -c user.email=t@example.com commit -q -m init
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com

old=$(sed -n 's|^image: *bitreview/bitreview:\([^[:space:]]*\).*|\1|p' pipe.yml)
new=9.8.7
passed=0 failed=0
check() { # description, then a command that must succeed
  local what="$1"; shift
  if "$@" >/dev/null 2>&1; then
    passed=$((passed + 1)); echo "ok   $what"
  else
    failed=$((failed + 1)); echo "FAIL $what"
  fi
}
fails() { ! "$@"; }
sum() { cat pipe.yml README.md CHANGELOG.md | sha256sum; }

check "pipe.yml pins a version ($old)" test -n "$old"
check "no CHANGELOG section: refused" fails scripts/release.sh --dry-run "$new"
check "not semver: refused" fails scripts/release.sh --dry-run 1.2

# A CHANGELOG section for the new version, as a maintainer would write it.
awk -v v="$new" '/^## \[Unreleased\]/ { print; print ""; print "## [" v "] - 2030-01-02"; print ""; print "### Fixed"; print "- Something."; next } { print }' CHANGELOG.md >CHANGELOG.tmp
mv CHANGELOG.tmp CHANGELOG.md
git commit -q -am "changelog $new"

before=$(sum)
out=$(scripts/release.sh --dry-run --no-build "$new" 2>&1) || { echo "$out"; false; }
check "dry run: shows the pipe.yml bump" grep -q "^+image: bitreview/bitreview:$new" <<<"$out"
check "dry run: shows a README.md bump" grep -q "^+.*bitreview/bitreview:$new" <<<"$out"
check "dry run: would tag v$new" grep -q "would run: git tag -a v$new" <<<"$out"
check "dry run: tag message carries the CHANGELOG section" grep -q "Something." <<<"$out"
check "dry run: changes no file" test "$before" = "$(sum)"
check "dry run: creates no tag" fails git rev-parse -q --verify "refs/tags/v$new"
out=$(scripts/release.sh --dry-run "$new" 2>&1)
check "dry run: would build with scripts/build.sh $new" grep -q "would run: scripts/build.sh $new" <<<"$out"
check "dry run: a leading v in the argument is accepted" scripts/release.sh --dry-run --no-build "v$new"

echo dirty >>README.md
check "dirty tree: refused" fails scripts/release.sh --no-build "$new"
git checkout -q README.md

scripts/release.sh --no-build "$new" >"$work/release.log" 2>&1 || { cat "$work/release.log"; false; }
check "release: tag v$new exists" git rev-parse -q --verify "refs/tags/v$new"
check "release: the tag is the release commit" test "$(git rev-parse "v$new^{commit}")" = "$(git rev-parse HEAD)"
check "release: commit message" test "$(git log -1 --format=%s)" = "Release $new"
check "release: pipe.yml pins $new" grep -q "^image: bitreview/bitreview:$new$" pipe.yml
check "release: README.md has no other pinned version" fails grep -Eq "bitreview/bitreview:[0-9]+\.[0-9]+\.[0-9]+" <(grep -v "bitreview/bitreview:$new" README.md)
check "release: the tree is clean" test -z "$(git status --porcelain --untracked-files=no)"
check "release twice: refused" fails scripts/release.sh --no-build "$new"

echo "release_test: $passed passed, $failed failed"
[ "$failed" = 0 ]
