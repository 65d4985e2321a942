#!/bin/sh
# The public image's health-check tool, at the same path: exits 0 once the broker answers.
exec java -Xmx128m -cp '/opt/kafka/libs/*' kafka.admin.BrokerApiVersionsCommand "$@"
