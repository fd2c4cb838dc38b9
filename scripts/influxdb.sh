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

# influxd takes a lock on its meta store and waits for it without a word: a second influxd on the
# same folder (one still shutting down, or one left by a killed run) makes a new one hang silently.
# So stop any influxd still using our config, and wait until it is gone, before starting.
stop_stale() {
  local pids
  pids="$(pgrep -f "influxd -config $DIR/influxdb.conf" || true)"
  [ -z "$pids" ] && return 0
  echo "stopping an influxd left on $DIR (pid $pids)" >&2
  kill $pids 2>/dev/null || true
  wait_gone $pids
}

wait_gone() {
  for _ in $(seq 1 300); do
    local alive=""
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && return 0
    sleep 0.1
  done
  kill -9 "$@" 2>/dev/null || true
}

start() {
  install
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then echo "influxd already running on $PORT" >&2; return; fi
  if curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/ping" 2>/dev/null; then echo "an InfluxDB already answers on $PORT" >&2; return; fi
  mkdir -p "$DIR"
  stop_stale
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
  level = "info"
CONF
  nohup influxd -config "$DIR/influxdb.conf" >"$DIR/influxd.log" 2>&1 &
  local pid=$!
  echo $pid >"$PIDFILE"
  # A loaded CI machine can take well over ten seconds to open a first store.
  for _ in $(seq 1 600); do
    if curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/ping" 2>/dev/null; then echo "influxd ready on 127.0.0.1:$PORT" >&2; return; fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "influxd did not start on $PORT; its log:" >&2; tail -40 "$DIR/influxd.log" >&2
  echo "influxd processes:" >&2; pgrep -af influxd >&2 || echo "(none)" >&2
  echo "listening on $PORT/$((PORT + 1)):" >&2; (ss -ltnp 2>/dev/null | grep -E ":($PORT|$((PORT + 1)))\b" >&2) || echo "(nothing)" >&2
  exit 1
}

stop() {
  [ -f "$PIDFILE" ] || return 0
  local pid
  pid="$(cat "$PIDFILE")"
  kill "$pid" 2>/dev/null || true
  # Wait until it has let go of its folder, so that a start right after (a test restarting it) works.
  wait_gone "$pid"
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
