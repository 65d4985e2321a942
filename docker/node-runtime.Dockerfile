# A Node runtime image for machines that cannot pull one: a Debian rootfs imported locally
# (`herd/debian:bookworm`, made by debootstrap) plus the machine's own `node` binary, which links
# only against Debian's libc and libstdc++. Elsewhere use the public node:20-bookworm-slim instead.
ARG DEBIAN_IMAGE=herd/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends libstdc++6 ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
COPY node /usr/local/bin/node
RUN node --version
