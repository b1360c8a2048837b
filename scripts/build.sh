#!/usr/bin/env bash
# Builds the static bitreview binaries and the pipe's container image.
#
#   scripts/build.sh [--arch amd64,arm64] [--no-image] [--image NAME] [VERSION]
#
# VERSION defaults to `git describe --tags` without its leading "v" (or
# 0.0.0-dev without tags). Outputs:
#   dist/linux-<arch>/bitreview    CGO off, -trimpath, -s -w, version/commit/date injected
#   <NAME>:<VERSION>-<arch>        one image per arch (buildah, vfs storage, chroot isolation)
#   <NAME>:<VERSION>               a manifest list of those images
# NAME defaults to docker.io/bitreview/bitreview (the image pipe.yml names).
#
# The image is FROM scratch, so nothing is pulled and no emulation is needed
# for arm64: the Dockerfile only copies the binary. Needs Go, git and (for
# the image) buildah, as root or rootless with subuids set up. Set
# SOURCE_DATE_EPOCH to fix the build date (and the image timestamps).
set -euo pipefail
cd "$(dirname "$0")/.."

arches="amd64,arm64"
image=1
name="${BITREVIEW_IMAGE:-docker.io/bitreview/bitreview}"
version=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arches="$2"; shift 2 ;;
    --arch=*) arches="${1#*=}"; shift ;;
    --no-image) image=0; shift ;;
    --image) name="$2"; shift 2 ;;
    --image=*) name="${1#*=}"; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build.sh: unknown option $1" >&2; exit 2 ;;
    *) version="$1"; shift ;;
  esac
done

if [ -z "$version" ]; then
  version=$(git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null || true)
  version="${version#v}"
  version="${version:-0.0.0-dev}"
fi
# An image tag allows [A-Za-z0-9_.-]; semver build metadata (+…) does not fit.
if ! [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-.][0-9A-Za-z.-]+)?$ ]]; then
  echo "build.sh: version '$version' is not of the form X.Y.Z or X.Y.Z-suffix" >&2
  exit 2
fi
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
else
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
fi

ldflags="-s -w -X main.version=$version -X main.commit=$commit -X main.date=$date"
IFS=, read -r -a archlist <<<"$arches"
for arch in "${archlist[@]}"; do
  out="dist/linux-$arch/bitreview"
  echo "build: $out (bitreview $version, commit ${commit:0:12}, built $date)"
  CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go build -trimpath -ldflags "$ldflags" -o "$out" ./cmd/bitreview
done
[ "$image" = 1 ] || exit 0

if ! command -v buildah >/dev/null 2>&1; then
  echo "build.sh: buildah is not installed (Debian: apt-get install buildah); use --no-image for binaries only" >&2
  exit 1
fi
buildah=(buildah --storage-driver vfs)
export BUILDAH_ISOLATION=chroot
ts=()
[ -z "${SOURCE_DATE_EPOCH:-}" ] || ts=(--timestamp "$SOURCE_DATE_EPOCH")
for arch in "${archlist[@]}"; do
  tag="$name:$version-$arch"
  echo "build: image $tag"
  "${buildah[@]}" bud --isolation chroot --quiet --format docker \
    --arch "$arch" --os linux "${ts[@]}" \
    --build-arg TARGETARCH="$arch" \
    --build-arg VERSION="$version" \
    --build-arg REVISION="$commit" \
    --build-arg CREATED="$date" \
    -t "$tag" . >/dev/null
  echo "build: $tag $("${buildah[@]}" images --format '{{.Size}}' "$tag" | head -n1) uncompressed"
done

# The multi-arch tag: a manifest list of the per-arch images, rebuilt each
# time so that a second build replaces it instead of adding to it.
"${buildah[@]}" manifest rm "$name:$version" >/dev/null 2>&1 || true
"${buildah[@]}" rmi "$name:$version" >/dev/null 2>&1 || true
"${buildah[@]}" manifest create "$name:$version" >/dev/null
for arch in "${archlist[@]}"; do
  "${buildah[@]}" manifest add --arch "$arch" --os linux "$name:$version" "containers-storage:$name:$version-$arch" >/dev/null
done
"${buildah[@]}" rmi --prune >/dev/null 2>&1 || true   # the images the new tags replaced
echo "build: manifest list $name:$version (${arches})"
