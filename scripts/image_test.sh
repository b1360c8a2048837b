#!/usr/bin/env bash
# Builds the image and runs it for real, as .ci/run does:
#   1. scripts/build.sh VERSION (binaries for amd64 and arm64, both images);
#   2. checks the image's config (entrypoint, user, labels);
#   3. `bitreview version` inside the amd64 image (buildah run --isolation
#      chroot), which must name VERSION, this commit and a build date;
#   4. one dry-run review inside the image against the fakes on loopback
#      (internal/fakeserve): exit 0, the finding printed, nothing written;
#   5. one posting review with FAIL_ON=high: exit 1, one inline comment and
#      the summary posted with exactly the scopes README.md documents;
#   6. the image size (must stay under 25 MB) and the start time
#      (scripts/startup_bench.sh, median under 20 ms).
#
#   scripts/image_test.sh [VERSION]      # default 0.0.0-ci.<commit>
#
# With CI=true the images are removed at the end. Needs root, Go, git and
# buildah. `buildah run --isolation chroot` has no
# network namespace of its own (it refuses any --network but host), so the
# container reaches the fakes on the host's 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:-0.0.0-ci.$(git rev-parse --short=12 HEAD)}"
B=(buildah --storage-driver vfs)
export BUILDAH_ISOLATION=chroot
fail() { echo "image_test: FAIL: $*" >&2; exit 1; }
step() { echo "--- image: $*"; }

work=$(mktemp -d)
ctr=""
fpid=""
cleanup() {
  if [ -n "$fpid" ]; then kill "$fpid" 2>/dev/null || true; wait "$fpid" 2>/dev/null || true; fi
  if [ -n "$ctr" ]; then
    "${B[@]}" umount "$ctr" >/dev/null 2>&1 || true
    "${B[@]}" rm "$ctr" >/dev/null 2>&1 || true
  fi
  if [ "${CI:-}" = true ]; then # CI leaves no images behind in the machine's storage
    "${B[@]}" manifest rm "docker.io/bitreview/bitreview:$version" >/dev/null 2>&1 || true
    "${B[@]}" rmi "docker.io/bitreview/bitreview:$version-amd64" "docker.io/bitreview/bitreview:$version-arm64" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step "build $version"
t0=$(date +%s)
scripts/build.sh "$version"
echo "image_test: built in $(($(date +%s) - t0)) s"
img="docker.io/bitreview/bitreview:$version-amd64"
commit=$(git rev-parse HEAD)

step "config"
inspect() { "${B[@]}" inspect --type image --format "$1" "$2"; }
for arch in amd64 arm64; do
  a="docker.io/bitreview/bitreview:$version-$arch"
  [ "$(inspect '{{.OCIv1.Architecture}}' "$a")" = "$arch" ] || fail "$a is not $arch"
  [ "$(inspect '{{.OCIv1.Config.Entrypoint}}' "$a")" = "[/bitreview]" ] || fail "$a: entrypoint $(inspect '{{.OCIv1.Config.Entrypoint}}' "$a")"
  [ "$(inspect '{{.OCIv1.Config.Cmd}}' "$a")" = "[pipe]" ] || fail "$a: cmd $(inspect '{{.OCIv1.Config.Cmd}}' "$a")"
  [ "$(inspect '{{.OCIv1.Config.User}}' "$a")" = "65534:65534" ] || fail "$a: user $(inspect '{{.OCIv1.Config.User}}' "$a")"
  labels=$(inspect '{{range $k, $v := .OCIv1.Config.Labels}}{{$k}}={{$v}}{{"\n"}}{{end}}' "$a")
  for l in title description source licenses version revision created; do
    grep -q "^org.opencontainers.image.$l=." <<<"$labels" || fail "$a: no label org.opencontainers.image.$l"
  done
  grep -qx "org.opencontainers.image.version=$version" <<<"$labels" || fail "$a: version label"
  grep -qx "org.opencontainers.image.revision=$commit" <<<"$labels" || fail "$a: revision label"
  grep -qx "org.opencontainers.image.licenses=MIT" <<<"$labels" || fail "$a: licenses label"
  echo "image_test: $a: entrypoint [/bitreview], cmd [pipe], user 65534:65534, OCI labels ok"
done

ctr=$("${B[@]}" from --pull=never --quiet "$img")

step "bitreview version inside the image"
out=$("${B[@]}" run --isolation chroot "$ctr" -- /bitreview version)
echo "$out"
[[ "$out" =~ ^bitreview\ $version,\ commit\ $commit,\ built\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]] ||
  fail "version output does not name $version, $commit and a UTC build date"

go build -o "$work/fakeserve" ./internal/fakeserve
clone=/opt/atlassian/pipelines/agent/build # where Pipelines mounts the clone
start_fakes() {
  rm -f "$work/fake.env"
  "$work/fakeserve" -env-file "$work/fake.env" -clone-dir "$work/clone" -timeout 5m "$@" >/dev/null 2>"$work/fake.log" &
  fpid=$!
  for _ in $(seq 300); do
    [ -f "$work/fake.env" ] && return 0
    kill -0 "$fpid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/fake.log" >&2
  fail "fakeserve did not start"
}
stop_fakes() { # prints the fakes' report; fails when its checks failed
  kill -TERM "$fpid"
  local rc=0
  wait "$fpid" || rc=$?
  fpid=""
  sed 's/^/  /' "$work/fake.log"
  [ "$rc" = 0 ] || fail "the fakes' checks failed (see above)"
}
# pipe runs what the image's entrypoint runs, as Pipelines does: the clone
# mounted read-only as the working directory, variables as environment.
pipe() {
  local envs=()
  while IFS= read -r l; do envs+=(-e "$l"); done <"$work/fake.env"
  "${B[@]}" run --isolation chroot "${envs[@]}" "$@" \
    -e BITBUCKET_CLONE_DIR="$clone" -v "$work/clone:$clone:ro" --workingdir "$clone" \
    "$ctr" -- /bitreview pipe
}

step "dry-run review inside the image"
start_fakes -dry-run
chmod 755 "$work/clone"
rc=0
pipe -e DRY_RUN=true >"$work/dry.out" 2>&1 || rc=$?
cat "$work/dry.out"
[ "$rc" = 0 ] || fail "dry run exited $rc, want 0"
grep -q "SQL injection through the name parameter" "$work/dry.out" || fail "dry run: the finding is not printed"
grep -q "✔ Dry run: 1 inline comment(s)" "$work/dry.out" || fail "dry run: no 'Dry run' line"
grep -q "would post summary comment" "$work/dry.out" || fail "dry run: the summary is not printed"
stop_fakes

step "posting review inside the image (FAIL_ON=high)"
start_fakes -want-comments 2
rc=0
pipe -e FAIL_ON=high >"$work/post.out" 2>&1 || rc=$?
cat "$work/post.out"
[ "$rc" = 1 ] || fail "FAIL_ON=high with a high finding exited $rc, want 1"
grep -q "✔ Published: 1 inline comment(s) posted" "$work/post.out" || fail "no 'Published' line"
grep -q "FAIL_ON=high" "$work/post.out" || fail "the failing verdict does not name FAIL_ON"
stop_fakes

step "size"
mnt=$("${B[@]}" mount "$ctr")
bin_bytes=$(stat -c %s dist/linux-amd64/bitreview)
rootfs_bytes=$(du -sb "$mnt" | cut -f1)
"${B[@]}" umount "$ctr" >/dev/null
"${B[@]}" push --quiet "$img" "oci:$work/oci" >/dev/null
gz_bytes=$(find "$work/oci/blobs" -type f -size +8k -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
listed=$("${B[@]}" images --format '{{.Size}}' "$img" | head -n1)
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1e6 }'; }
echo "image_test: binary $(mb "$bin_bytes") ($bin_bytes bytes); image root filesystem $(mb "$rootfs_bytes") uncompressed (buildah lists $listed), $(mb "$gz_bytes") compressed layer (gzip)"
arm_bytes=$(stat -c %s dist/linux-arm64/bitreview)
echo "image_test: arm64 binary $(mb "$arm_bytes")"
[ "$rootfs_bytes" -le 25000000 ] || fail "the image is $(mb "$rootfs_bytes"), over 25 MB"

step "start time"
scripts/startup_bench.sh --runs "${STARTUP_RUNS:-100}" --max-ms 20 "$img"
echo "image_test: ok"
