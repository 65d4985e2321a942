# One image per Herd service, built from the repository root as context:
#   docker build -f docker/service.Dockerfile --build-arg APP=courseware .
# `npm run images` passes every argument below. BASE_IMAGE is the public Node image; machines
# without a registry pass one built locally (docker/node-runtime.Dockerfile). Both stages use it,
# so the image minus its base is exactly what this service adds.
ARG BASE_IMAGE=node:20-bookworm-slim

# Build stage: installs the locked dependencies and compiles inside the image, so nothing from the
# host's node_modules (or its Node ABI) reaches the runtime stage. Install scripts are skipped: the
# only package with one is better-sqlite3, the embedded database production refuses to use.
FROM ${BASE_IMAGE} AS build
WORKDIR /src
# The install layer depends on the lock file alone: a generated service adds a script to
# package.json, and that must not reinstall every package. npm ci gets the root package as the
# lock records it (name, version, dependencies); the real package.json comes with the sources.
COPY package-lock.json ./
# The CA certificates the building machine's Node trusts beyond the public ones (its
# NODE_EXTRA_CA_CERTS, e.g. a TLS-inspecting proxy in front of the npm registry); empty elsewhere.
# Only this stage sees them.
COPY .herd/build-ca.pem /tmp/build-ca.pem
RUN node -e "const lock = require('./package-lock.json'); \
      require('fs').writeFileSync('package.json', JSON.stringify({ ...lock.packages[''], name: lock.name, version: lock.version }))" \
 && if [ -s /tmp/build-ca.pem ]; then export NODE_EXTRA_CA_CERTS=/tmp/build-ca.pem; fi \
 && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
# The installed packages analysed for the runtime-tree trace and stripped, once per lock file: a
# service's build then traces only its own compiled files (seconds instead of half a minute).
COPY tsconfig.json tsconfig.scripts.json ./
COPY scripts/runtime-tree.ts scripts/
COPY libs/testing/src/docker/runtime-tree.ts libs/testing/src/docker/
RUN npx ts-node --transpile-only -P tsconfig.scripts.json scripts/runtime-tree.ts --warm /tmp/trace-cache
COPY package.json nest-cli.json tsconfig.json tsconfig.scripts.json ./
COPY scripts scripts
COPY libs libs
COPY apps apps
ARG APP
RUN test -n "${APP}" || (echo "build arg APP is required (a project of nest-cli.json)" >&2; exit 1)
# The runtime tree is the compiled app plus only the files its require graph reaches (traced).
# The image only emits (TypeScript's noCheck): CI's `tsc --noEmit` and the service's own tests
# check the types, and checking them again here would add a fifth to every `nest build`.
RUN printf '{ "extends": "./tsconfig.app.json", "compilerOptions": { "noCheck": true } }' \
      > "apps/${APP}/tsconfig.image.json" \
 && npx nest build "${APP}" -p "apps/${APP}/tsconfig.image.json" \
 && npx ts-node --transpile-only -P tsconfig.scripts.json scripts/runtime-tree.ts \
      "dist/apps/${APP}/apps/${APP}/src/main.js" /runtime /tmp/trace-cache

FROM ${BASE_IMAGE}
# Debian packages this service needs at run time (e.g. "ffmpeg" for codec), besides tini. Installed
# before any per-service argument is declared: services that need the same packages share this
# layer (one copy of ffmpeg on a node for courseware and codec).
ARG SYSTEM_PACKAGES=""
RUN packages="${SYSTEM_PACKAGES}"; command -v tini >/dev/null || packages="tini ${packages}"; \
    if [ -n "$(echo ${packages})" ]; then \
      apt-get update \
      && apt-get install -y --no-install-recommends ${packages} \
      && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/log/apt /var/log/dpkg.log; \
    fi \
 && groupadd --system --gid 999 herd \
 && useradd --system --uid 999 --gid herd --no-create-home --shell /usr/sbin/nologin herd \
 && mkdir -p /data && chown 999:999 /data && chmod 1777 /tmp
ARG APP
ARG VERSION=0.0.0
ARG REVISION=unknown
ARG SOURCE=unknown
ARG PORT=3000
WORKDIR /app
COPY --from=build /runtime ./
LABEL org.opencontainers.image.title="herd-${APP}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT"
# Two malloc arenas instead of one per thread: a few MB less resident memory for an I/O-bound service.
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    HERD_SERVICE=${APP} \
    HERD_SERVICE_VERSION=${VERSION} \
    PORT=${PORT}
USER 999:999
# The root file system is meant to run read-only (--read-only): these are the only writable places,
# /data for what the service keeps (codec's renditions) and /tmp for scratch files.
VOLUME ["/data", "/tmp"]
EXPOSE ${PORT}
# Docker's own health view (liveness); Marathon and Consul call the endpoints themselves. bash's
# /dev/tcp, not a `node -e`: a check every 5 s must cost milliseconds, not a Node start.
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/$PORT && printf 'GET /health/live HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3 && read -r _ code _ <&3 && [ \"$code\" = 200 ]"]
# tini reaps zombies and hands SIGTERM to Node, which turns readiness to 503, deregisters and drains.
# V8 sized for a small idle service: a 1 MB young generation and size-optimised code
# (`npm run bench -- images` measures the idle RSS).
ENTRYPOINT ["tini", "--", "node", "--optimize-for-size", "--max-semi-space-size=1"]
CMD ["main.js"]
