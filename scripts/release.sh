#!/usr/bin/env bash
# Cuts a release: VERSION is a semantic version without the leading "v".
#
#   scripts/release.sh [--dry-run] [--no-build] VERSION
#
# 1. checks that VERSION is X.Y.Z (or X.Y.Z-pre), that CHANGELOG.md (Keep a
#    Changelog) has a "## [VERSION]" section with content, that the tag
#    vVERSION does not exist yet and that the work tree is clean;
# 2. bumps the pinned image tag in pipe.yml and in README.md's examples
#    (bitreview/bitreview:OLD -> bitreview/bitreview:VERSION);
# 3. commits the bump ("Release VERSION");
# 4. builds the binaries and the image with scripts/build.sh VERSION, so
#    that `bitreview version` names the release commit (skip: --no-build);
# 5. tags that commit vVERSION (annotated, with the CHANGELOG section).
# It pushes nothing: it prints the push commands at the end.
#
# --dry-run checks everything, prints the diff of the bump and the commands
# it would run, and changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

dry=0
build=1
version=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run|-n) dry=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "release: unknown option $1" >&2; exit 2 ;;
    *) [ -z "$version" ] || { echo "release: one VERSION only" >&2; exit 2; }; version="$1"; shift ;;
  esac
done
version="${version#v}"
fail() { echo "release: $*" >&2; exit 1; }
say() { if [ "$dry" = 1 ]; then echo "[dry-run] $*"; else echo "release: $*"; fi; }

[ -n "$version" ] || { echo "usage: scripts/release.sh [--dry-run] [--no-build] VERSION" >&2; exit 2; }
[[ "$version" =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$ ]] ||
  fail "'$version' is not a semantic version (X.Y.Z or X.Y.Z-pre)"
tag="v$version"
image_repo="bitreview/bitreview"

# --- checks
[ -f CHANGELOG.md ] || fail "CHANGELOG.md is missing"
vre="${version//./\\.}"
# The section body: the lines after "## [VERSION]" up to the next "## [".
notes=$(awk -v h="## [$version]" '
  index($0, h) == 1 { on = 1; next }
  on && /^## \[/ { exit }
  on { print }' CHANGELOG.md | sed -e '/./,$!d')
grep -Eq "^## \[$vre\]( - [0-9]{4}-[0-9]{2}-[0-9]{2})?[[:space:]]*$" CHANGELOG.md ||
  fail "CHANGELOG.md has no '## [$version] - YYYY-MM-DD' section: move the entries under [Unreleased] into one first"
[ -n "$(printf '%s' "$notes" | tr -d '[:space:]')" ] || fail "CHANGELOG.md's [$version] section is empty"
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
  fail "tag $tag exists already"
fi
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  if [ "$dry" = 1 ]; then
    say "warning: the work tree has uncommitted changes; a real release refuses to start"
  else
    fail "the work tree has uncommitted changes: commit or stash them first"
  fi
fi
current=$(sed -n "s|^image: *$image_repo:\([^[:space:]]*\).*|\1|p" pipe.yml)
[ -n "$current" ] || fail "pipe.yml has no 'image: $image_repo:<version>' line"
say "releasing $version (pipe.yml pins $current now)"

# --- bump pipe.yml and README.md
bump() { # file: every bitreview/bitreview:<version> becomes the new version
  sed -E "s#($image_repo):[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?#\1:$version#g" "$1"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in pipe.yml README.md; do
  bump "$f" >"$tmp/$(basename "$f")"
done
grep -q "$image_repo:$version" "$tmp/README.md" || fail "README.md names no $image_repo:<version> to bump"
if [ "$dry" = 1 ]; then
  for f in pipe.yml README.md; do
    diff -u --label "a/$f" --label "b/$f" "$f" "$tmp/$f" || true
  done
else
  for f in pipe.yml README.md; do
    cp "$tmp/$f" "$f"
  done
fi

# --- commit, build, tag
run() {
  if [ "$dry" = 1 ]; then
    printf '[dry-run] would run:'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}
if [ "$dry" = 1 ] || ! git diff --quiet -- pipe.yml README.md; then
  run git commit -q -m "Release $version" -- pipe.yml README.md
fi
if [ "$build" = 1 ]; then
  run scripts/build.sh "$version"
fi
printf '%s\n\n%s\n' "bitreview $version" "$notes" >"$tmp/tag-message"
run git tag -a "$tag" -F "$tmp/tag-message"
if [ "$dry" = 1 ]; then
  echo "[dry-run] tag message:"
  sed 's/^/[dry-run]   /' "$tmp/tag-message"
fi

say "done. To publish:"
cat <<EOF
  buildah --storage-driver vfs manifest push --all --format v2s2 docker.io/$image_repo:$version docker://docker.io/$image_repo:$version
  git push origin HEAD $tag
EOF
