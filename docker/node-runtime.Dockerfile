# A Node image for machines that cannot pull one: a Debian rootfs imported locally
# (`herd/debian:bookworm`, made by debootstrap) plus the machine's own `node` binary, which links
# only against Debian's libc and libstdc++, and its npm (a plain JavaScript package), laid out as in
# the public node:20-bookworm-slim. Elsewhere use that public image instead.
ARG DEBIAN_IMAGE=herd/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends libstdc++6 ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/log/apt /var/log/dpkg.log
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
