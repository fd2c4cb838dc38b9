#!/usr/bin/env bash
# Test InfluxDB for integration tests and CI: Debian's influxdb 1.6.7 (the only InfluxDB server
# installable here; see ../shared/ENVIRONMENT.md), on 127.0.0.1:${SPC_INFLUX_PORT:-18086} with its
# data in a throw-away folder.
#   scripts/influxdb.sh start   install if missing, start, wait until it answers /ping
#   scripts/influxdb.sh stop    stop what start started
set -euo pipefail
PORT="${SPC_INFLUX_PORT:-18086}"
DIR="${SPC_INFLUX_DIR:-/tmp/spc-guard-influxdb-$PORT}"
PIDFILE="$DIR/influxd.pid"

install() {
  command -v influxd >/dev/null && return
  echo "installing Debian's influxdb (apt)…" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq influxdb >/dev/null
}

start() {
  install
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then echo "influxd already running on $PORT" >&2; return; fi
  mkdir -p "$DIR/meta" "$DIR/data" "$DIR/wal"
  cat > "$DIR/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$((PORT + 1))"
[meta]
  dir = "$DIR/meta"
[data]
  dir = "$DIR/data"
  wal-dir = "$DIR/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$PORT"
  log-enabled = false
[logging]
  level = "warn"
CONF
  nohup influxd -config "$DIR/influxdb.conf" >"$DIR/influxd.log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/ping"; then echo "influxd ready on 127.0.0.1:$PORT" >&2; return; fi
    sleep 0.1
  done
  echo "influxd did not start; log:" >&2; tail -20 "$DIR/influxd.log" >&2; exit 1
}

stop() {
  [ -f "$PIDFILE" ] || return 0
  kill "$(cat "$PIDFILE")" 2>/dev/null || true
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
