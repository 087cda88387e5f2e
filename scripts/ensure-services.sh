#!/usr/bin/env bash
# Checks the local services the integration tests use and starts any that is down.
# Fails loudly if one cannot be started: a missing server is never a silent skip.
set -u

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure() {
  local name=$1 port=$2 start=$3
  if port_open "$port"; then echo "ok: $name on 127.0.0.1:$port"; return 0; fi
  echo "starting $name…"
  bash -c "$start" >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do
    if port_open "$port"; then echo "ok: $name started on 127.0.0.1:$port"; return 0; fi
    sleep 1
  done
  echo "FAILED: $name is not listening on 127.0.0.1:$port" >&2
  return 1
}

status=0
ensure PostgreSQL 5432 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' || status=1
ensure Redis 6379 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log' || status=1
ensure Mosquitto 1883 'mosquitto -d -c /etc/mosquitto/mosquitto.conf' || status=1
exit $status
