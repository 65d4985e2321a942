# Apache Kafka for docker/compose.yml on machines that cannot pull apache/kafka: the jars
# `npm run infra` resolves from Maven Central (~/.cache/herd/kafka-<version>/libs) and Debian's
# Java on the locally imported Debian base. It reads the same KAFKA_* variables as the public
# image (KAFKA_FOO_BAR -> foo.bar in server.properties, CLUSTER_ID formats the storage once) and
# has its health-check tool at the same path.
ARG DEBIAN_IMAGE=herd/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && mkdir -p /usr/share/man/man1 \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/log/apt /var/log/dpkg.log
COPY libs /opt/kafka/libs
COPY kafka-run.sh /opt/kafka/run.sh
COPY kafka-broker-api-versions.sh /opt/kafka/bin/kafka-broker-api-versions.sh
RUN useradd --system --uid 1000 --home-dir /opt/kafka appuser \
 && mkdir -p /var/lib/kafka/data /etc/kafka \
 && chown appuser /var/lib/kafka/data /etc/kafka
USER appuser
EXPOSE 9092
ENTRYPOINT ["/opt/kafka/run.sh"]
