# One image per Herd service. The build context is prepared by `npm run images` (compiled app in
# dist/, production node_modules/, package.json), so nothing is downloaded from npm here.
#   docker build -f docker/service.Dockerfile --build-arg APP=courseware <context>
# BASE_IMAGE is the public Node image; machines without a registry pass a locally built one.
ARG BASE_IMAGE=node:20-bookworm-slim
FROM ${BASE_IMAGE}
ARG APP
ARG VERSION=0.0.0
ARG PORT=3000
RUN test -n "${APP}" || (echo "build arg APP is required (courseware or codec)" >&2; exit 1)
RUN command -v tini >/dev/null || (apt-get update \
   && apt-get install -y --no-install-recommends tini \
   && rm -rf /var/lib/apt/lists/*) \
 && groupadd --system --gid 999 herd \
 && useradd --system --uid 999 --gid herd --no-create-home --shell /usr/sbin/nologin herd
WORKDIR /app
COPY package.json ./
COPY node_modules ./node_modules
COPY dist ./dist
ENV NODE_ENV=production \
    HERD_SERVICE=${APP} \
    HERD_SERVICE_VERSION=${VERSION} \
    PORT=${PORT}
USER 999:999
EXPOSE ${PORT}
# Docker's own health view; Marathon and Consul call the same endpoints themselves.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini reaps zombies and hands SIGTERM to Node, which turns readiness to 503, deregisters and drains.
ENTRYPOINT ["tini", "--", "node"]
CMD ["dist/main.js"]
