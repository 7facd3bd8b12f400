#!/usr/bin/env bash
# Makes sure Postgres (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer, for
# the tests and local runs. Starts them with the machine's own commands when
# they are stopped, and installs them from Debian's packages when missing.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

wait_for() {
  local what=$1 check=$2
  for _ in $(seq 1 60); do
    if $check; then return 0; fi
    sleep 0.5
  done
  echo "services.sh: $what did not come up" >&2
  return 1
}

apt_updated=0
install() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if ! pg_up; then
  if ! ls /etc/postgresql >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    echo "services.sh: installing postgresql"
    install postgresql
  fi
  echo "services.sh: starting postgresql"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  wait_for postgres pg_up
  # Tests connect as user postgres over TCP without a password (trust auth on loopback).
  if ! psql -h 127.0.0.1 -U postgres -c 'SELECT 1' >/dev/null 2>&1; then
    hba=$(su postgres -c "psql -tAc 'SHOW hba_file'")
    sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/' "$hba"
    su postgres -c "psql -tAc 'SELECT pg_reload_conf()'" >/dev/null
  fi
fi

if ! redis_up; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "services.sh: installing redis-server"
    install redis-server
  fi
  echo "services.sh: starting redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_for redis redis_up
fi

# The web console's browser test drives Debian's chromium (never a downloaded browser).
if ! command -v chromium >/dev/null 2>&1; then
  echo "services.sh: installing chromium"
  install chromium
fi

echo "services.sh: postgres and redis are up"
