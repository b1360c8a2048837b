#!/usr/bin/env bash
# Measures how long `bitreview version` takes to start and exit:
#   native     dist/linux-amd64/bitreview on the host
#   image      the image's own binary, in the image's root filesystem
#              (buildah mount + chroot as user 65534): the process alone
#   buildah    `buildah run --isolation chroot` of the image: the process
#              plus the container runtime's setup (fewer runs)
#
#   scripts/startup_bench.sh [--runs N] [--max-ms MS] [IMAGE]
#
# IMAGE defaults to the newest docker.io/bitreview/bitreview:*-amd64 in
# buildah's vfs storage; without buildah only "native" is measured. Uses
# hyperfine when installed (Debian: apt-get install hyperfine), else a
# shell loop. --max-ms fails when the native or image median exceeds MS.
# Root is needed for the image measurements (mount, chroot).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=200
max_ms=""
img=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --max-ms) max_ms="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) img="$1"; shift ;;
  esac
done
bin=dist/linux-amd64/bitreview
[ -x "$bin" ] || { echo "startup_bench: $bin is missing: run scripts/build.sh first" >&2; exit 1; }

work=$(mktemp -d)
B=(buildah --storage-driver vfs)
ctr=""
cleanup() {
  if [ -n "$ctr" ]; then
    "${B[@]}" umount "$ctr" >/dev/null 2>&1 || true
    "${B[@]}" rm "$ctr" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# measure NAME RUNS CMD... prints "startup: NAME median … ms" and stores the
# median (ms) in $work/NAME.
measure() {
  local name="$1" n="$2"; shift 2
  "$@" >/dev/null # fails loudly before timing a broken command
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --style none --warmup 5 --runs "$n" --export-json "$work/$name.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
    python3 - "$work/$name.json" >"$work/$name.line" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.2f %.2f %.2f %.2f hyperfine" % (r["median"]*1e3, r["min"]*1e3, r["max"]*1e3, r["mean"]*1e3))
EOF
  else
    local i t0 t1
    for _ in 1 2 3 4 5; do "$@" >/dev/null; done
    : >"$work/$name.samples"
    for ((i = 0; i < n; i++)); do
      t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N)
      echo $(((t1 - t0) / 1000)) >>"$work/$name.samples" # microseconds
    done
    sort -n "$work/$name.samples" | awk '{ v[NR] = $1; s += $1 } END {
      printf "%.2f %.2f %.2f %.2f shell-loop\n", v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000, s / NR / 1000 }' >"$work/$name.line"
  fi
  read -r med min max mean how <"$work/$name.line"
  echo "$med" >"$work/$name"
  printf 'startup: %-8s median %6s ms  (min %s, max %s, mean %s; %d runs, %s)\n' "$name" "$med" "$min" "$max" "$mean" "$n" "$how"
}

echo "startup: bitreview version — $("$bin" version)"
echo "startup: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
measure native "$runs" "$bin" version

if command -v buildah >/dev/null 2>&1; then
  if [ -z "$img" ]; then
    img=$("${B[@]}" images --format '{{.Name}}:{{.Tag}}' | grep -E '^docker.io/bitreview/bitreview:.*-amd64$' | head -n1 || true)
  fi
fi
if [ -n "$img" ]; then
  ctr=$("${B[@]}" from --pull=never --quiet "$img")
  mnt=$("${B[@]}" mount "$ctr")
  echo "startup: image $img"
  measure image "$runs" chroot --userspec=65534:65534 "$mnt" /bitreview version
  measure buildah $(((runs + 9) / 10)) "${B[@]}" run --isolation chroot "$ctr" -- /bitreview version
fi

if [ -n "$max_ms" ]; then
  for name in native image; do
    [ -f "$work/$name" ] || continue
    if awk -v m="$(cat "$work/$name")" -v lim="$max_ms" 'BEGIN { exit !(m > lim) }'; then
      echo "startup_bench: FAIL: $name median $(cat "$work/$name") ms is over $max_ms ms" >&2
      exit 1
    fi
  done
fi
