# The pipe's image: nothing but the static binary. No base image is pulled,
# and there is no shell or package manager inside. The binary is built first,
# outside the image (CGO off, -trimpath, version injected, Mozilla's CA roots
# embedded through golang.org/x/crypto/x509roots/fallback), by
#   scripts/build.sh [VERSION]
# which then runs, for each arch,
#   buildah bud --storage-driver vfs --isolation chroot --arch ARCH \
#     --build-arg TARGETARCH=ARCH --build-arg VERSION=… --build-arg REVISION=… --build-arg CREATED=… .
FROM scratch

# buildah and docker buildx set TARGETARCH from --arch/--platform; the
# default only serves a plain build on amd64.
ARG TARGETARCH=amd64
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown

LABEL org.opencontainers.image.title="bitreview" \
      org.opencontainers.image.description="AI code review for Bitbucket Cloud pull requests, as a Bitbucket Pipe" \
      org.opencontainers.image.source="https://bitbucket.org/bitreview/bitreview" \
      org.opencontainers.image.url="https://bitbucket.org/bitreview/bitreview" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"

# Readable and executable by everyone, so any user can run it.
COPY --chmod=0755 dist/linux-${TARGETARCH}/bitreview /bitreview

# Not root: nobody:nogroup by number (scratch has no /etc/passwd). The pipe
# only reads the clone that Pipelines mounts as its working directory, and a
# normal clone (directories 755, files 644) is readable by any user. A clone
# made private (umask 077, chmod go-rwx) is not: the container then cannot
# even enter its working directory. The trade-off is documented in
# README.md (Details, Troubleshooting) with the fix:
# chmod -R a+rX "$BITBUCKET_CLONE_DIR" before the pipe.
USER 65534:65534

# The command is a CMD so the same image runs the other commands: Pipelines
# starts a pipe with no arguments (so `pipe`), while the relay runs as
# `docker run … bitreview/bitreview:<version> relay`, and the GitHub action
# passes its own command as args.
ENTRYPOINT ["/bitreview"]
CMD ["pipe"]
