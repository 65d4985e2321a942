#!/bin/sh
# KAFKA_* variables become server.properties (as in the public apache/kafka image), the storage is
# formatted once with CLUSTER_ID, then the broker runs in the foreground.
set -euf  # -f: the class path wildcard is for java, not for the shell
config=/etc/kafka/server.properties
env | grep '^KAFKA_' | grep -v '^KAFKA_HEAP_OPTS=' | while IFS='=' read -r key value; do
  printf '%s=%s\n' "$(echo "${key#KAFKA_}" | tr 'A-Z_' 'a-z.')" "$value"
done > "$config"
cat > /etc/kafka/log4j.properties <<'LOG4J'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
LOG4J
java_opts="${KAFKA_HEAP_OPTS:--Xmx512m} -Dlog4j.configuration=file:/etc/kafka/log4j.properties -cp /opt/kafka/libs/*"
log_dir=$(sed -n 's/^log\.dirs=//p' "$config")
if [ ! -f "${log_dir:-/var/lib/kafka/data}/meta.properties" ]; then
  # shellcheck disable=SC2086
  java $java_opts kafka.tools.StorageTool format -t "${CLUSTER_ID:?CLUSTER_ID is required}" -c "$config"
fi
# shellcheck disable=SC2086
exec java $java_opts kafka.Kafka "$config"
