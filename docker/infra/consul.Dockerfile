# Consul for docker/compose.yml on machines that cannot pull hashicorp/consul: the binary
# `npm run infra` builds from the Go module proxy (~/.cache/herd/consul-<version>/consul) on the
# locally imported Debian base. Same command line as the public image: `consul agent -dev ...`.
ARG DEBIAN_IMAGE=herd/debian:bookworm
FROM ${DEBIAN_IMAGE}
COPY consul /usr/local/bin/consul
RUN useradd --system --uid 100 --home-dir /consul --create-home consul
USER consul
WORKDIR /consul
EXPOSE 8500
ENTRYPOINT ["consul"]
CMD ["agent", "-dev", "-client", "0.0.0.0"]
