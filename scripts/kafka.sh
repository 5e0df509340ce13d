#!/usr/bin/env bash
# A throwaway single-node KRaft Kafka broker on loopback, from Apache Kafka's own jars
# fetched with Maven from Maven Central (Java 17+). No Docker. Groundwork for the Kafka
# publishing issue: verified here with kafkajs 2.2.4 (admin with compacted topics,
# idempotent producer with acks=all, headers, tombstones, consumer groups).
#
#   scripts/kafka.sh start   # prints the bootstrap address on stdout
#   scripts/kafka.sh stop
#
# KAFKA_VERSION (default 4.3.0), KAFKA_PORT (default 59092; the controller uses +1) and
# LEDGER_KAFKA_DIR (default /tmp/ledger-kafka-$KAFKA_PORT) choose what runs where.
set -euo pipefail
VERSION="${KAFKA_VERSION:-4.3.0}"
PORT="${KAFKA_PORT:-59092}"
CONTROLLER_PORT=$((PORT + 1))
DIR="${LEDGER_KAFKA_DIR:-${TMPDIR:-/tmp}/ledger-kafka-$PORT}"

start() {
  mkdir -p "$DIR"
  if [ -f "$DIR/broker.pid" ] && kill -0 "$(cat "$DIR/broker.pid")" 2>/dev/null; then
    echo "127.0.0.1:$PORT"
    return
  fi
  if [ ! -f "$DIR/lib/kafka_2.13-$VERSION.jar" ]; then
    cat > "$DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>ledger</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$VERSION</version></dependency>
  </dependencies>
</project>
POM
    rm -rf "$DIR/lib"
    (cd "$DIR" && mvn -q -B dependency:copy-dependencies -DoutputDirectory=lib -DincludeScope=runtime >&2)
  fi
  # KAFKA_KEEP_DATA=1 restarts on the same log (fault tests); otherwise every start is fresh
  [ "${KAFKA_KEEP_DATA:-}" = "1" ] || rm -rf "$DIR/data"
  cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DIR/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  if [ ! -d "$DIR/data" ]; then
    local cid
    cid="$(java -cp "$DIR/lib/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    java -cp "$DIR/lib/*" kafka.tools.StorageTool format -t "$cid" -c "$DIR/server.properties" >"$DIR/format.log" 2>&1
  fi
  nohup java -Xmx512m -cp "$DIR/lib/*" kafka.Kafka "$DIR/server.properties" >"$DIR/broker.log" 2>&1 &
  echo $! >"$DIR/broker.pid"
  for _ in $(seq 1 120); do
    if (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      echo "127.0.0.1:$PORT"
      return
    fi
    sleep 0.5
  done
  echo "the broker did not open port $PORT; see $DIR/broker.log" >&2
  exit 1
}

stop() {
  if [ -f "$DIR/broker.pid" ]; then
    kill "$(cat "$DIR/broker.pid")" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$(cat "$DIR/broker.pid")" 2>/dev/null || break; sleep 0.25; done
    rm -f "$DIR/broker.pid"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
