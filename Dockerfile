# The image is nothing but the static binary: no base image to pull, no
# shell, no package manager. Build the binary first (CGO off, CA roots
# embedded through golang.org/x/crypto/x509roots/fallback):
#   CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w" -o dist/linux-amd64/bitreview ./cmd/bitreview
#   buildah bud --storage-driver vfs --isolation chroot --build-arg TARGETARCH=amd64 -t bitreview .
FROM scratch
ARG TARGETARCH=amd64
COPY dist/linux-${TARGETARCH}/bitreview /bitreview
USER 65534:65534
ENTRYPOINT ["/bitreview", "pipe"]
