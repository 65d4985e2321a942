# Prometheus for docker/compose.yml on machines that cannot pull prom/prometheus: upstream 2.54.1
# built once from the Go module proxy into ~/.cache/herd (libs/testing/src/infra/upstream-prometheus.ts:
# Debian's package lacks Consul discovery) on the locally imported Debian base. Same entrypoint,
# user (nobody) and data folder as the public image.
ARG DEBIAN_IMAGE=herd/debian:bookworm
FROM ${DEBIAN_IMAGE}
COPY prometheus /bin/prometheus
RUN mkdir /prometheus && chown 65534:65534 /prometheus
USER 65534
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
