#!/usr/bin/env bash
# Makes sure PostgreSQL, RabbitMQ and Redis run on localhost with the project's database and users.
# Idempotent: installs only what is missing (Debian packages, as root), starts only what is stopped,
# and says what it did. There is no systemd on the lab machines, so daemons are started directly.
# The defaults here match the connection URLs in system/shared/default-urls.ts:
#   DATABASE_URL=postgres://lab:lab@127.0.0.1:5432/lab   (development credentials)
#   AMQP_URL=amqp://lab:lab@127.0.0.1:5672               (development credentials)
#   REDIS_URL=redis://127.0.0.1:6379
set -euo pipefail

PG_PORT=5432
AMQP_PORT=5672
REDIS_PORT=6379
DB_NAME=lab
DB_USER=lab
DB_PASSWORD=lab
MQ_USER=lab
MQ_PASSWORD=lab

WITH_BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) WITH_BROWSER=1 ;;
    *) printf "infra: unknown option '%s' (known: --with-browser)\n" "$arg" >&2; exit 2 ;;
  esac
done

say() { printf 'infra: %s\n' "$*"; }
fail() { printf 'infra: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # port seconds name
  local deadline=$((SECONDS + $2))
  until port_open "$1"; do
    ((SECONDS < deadline)) || fail "$3 did not open port $1 within $2 s (see its log)"
    sleep 0.2
  done
}

can_install() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

explain_and_exit() {
  cat >&2 <<MSG
infra: cannot install or start $1 here (needs root on Debian/Ubuntu; this is $(id -un) on $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME" || uname -s)).
Do one of these, then run the command again:
  - As root on Debian/Ubuntu:
      apt-get update && apt-get install -y postgresql rabbitmq-server redis-server
      pg_ctlcluster <version> main start; rabbitmq-server -detached; redis-server --daemonize yes
  - With Docker (cp .env.example .env first: its example credentials match the defaults above):
      docker compose --profile postgres up -d postgres rabbitmq redis
        (postgres is in the compose profile 'postgres'; the whole stack runs on SQL Server unless
         started with docker-compose.postgres.yml, see the README)
  - Or point the lab at servers you already run:
      DATABASE_URL=postgres://... AMQP_URL=amqp://... REDIS_URL=redis://...
MSG
  exit 1
}

APT_UPDATED=0
install_packages() { # package...
  can_install || explain_and_exit "$*"
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  say "installing $* from Debian packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_postgres() {
  if ! command -v pg_lsclusters >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    install_packages postgresql
  fi
  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if ! pg_lsclusters -h | awk '{print $1,$2}' | grep -q "^$version main$"; then
    can_install || explain_and_exit postgresql
    say "creating PostgreSQL $version cluster 'main'"
    pg_createcluster "$version" main >/dev/null
  fi
  if pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
    say "postgresql $version: already running"
  else
    can_install || explain_and_exit postgresql
    # The lab opens many pools at once (three services, tests, scenarios).
    sed -i "s/^#\?max_connections = .*/max_connections = 300/" "/etc/postgresql/$version/main/postgresql.conf"
    say "postgresql $version: starting"
    pg_ctlcluster "$version" main start
  fi
  wait_port "$PG_PORT" 30 postgresql
  if ! su postgres -c "psql -tAc \"select 1 from pg_roles where rolname='$DB_USER'\"" | grep -q 1; then
    say "postgresql: creating role $DB_USER"
    su postgres -c "psql -qc \"create role $DB_USER login createdb password '$DB_PASSWORD'\""
  fi
  # The tests drop their databases `with (force)`, which also ends an autovacuum worker busy in
  # one; without pg_signal_backend that fails ("must be a member of the role whose process is
  # being terminated"), whenever autovacuum happens to be there.
  if ! su postgres -c "psql -tAc \"select 1 from pg_auth_members m join pg_roles r on r.oid = m.member join pg_roles g on g.oid = m.roleid where r.rolname = '$DB_USER' and g.rolname = 'pg_signal_backend'\"" | grep -q 1; then
    say "postgresql: granting pg_signal_backend to $DB_USER"
    su postgres -c "psql -qc \"grant pg_signal_backend to $DB_USER\""
  fi
  if ! su postgres -c "psql -tAc \"select 1 from pg_database where datname='$DB_NAME'\"" | grep -q 1; then
    say "postgresql: creating database $DB_NAME"
    su postgres -c "createdb -O $DB_USER $DB_NAME"
  fi
}

ensure_redis() {
  command -v redis-server >/dev/null || install_packages redis-server
  if port_open "$REDIS_PORT"; then
    say "redis: already running"
    return
  fi
  say "redis: starting"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --dir /var/lib/redis \
    --logfile /var/log/redis/redis-lab.log --save "" --appendonly no --maxclients 10000
  wait_port "$REDIS_PORT" 15 redis
}

ensure_rabbitmq() {
  command -v rabbitmq-server >/dev/null || install_packages rabbitmq-server
  if port_open "$AMQP_PORT"; then
    say "rabbitmq: already running"
  else
    can_install || explain_and_exit rabbitmq-server
    say "rabbitmq: starting (takes a few seconds)"
    mkdir -p /var/log/rabbitmq /var/lib/rabbitmq
    chown -R rabbitmq:rabbitmq /var/log/rabbitmq /var/lib/rabbitmq 2>/dev/null || true
    rabbitmq-server -detached >/dev/null 2>&1
    wait_port "$AMQP_PORT" 90 rabbitmq
    rabbitmqctl -q await_startup >/dev/null
  fi
  if ! rabbitmqctl -q list_users 2>/dev/null | awk '{print $1}' | grep -qx "$MQ_USER"; then
    say "rabbitmq: creating user $MQ_USER"
    rabbitmqctl -q add_user "$MQ_USER" "$MQ_PASSWORD" >/dev/null
    rabbitmqctl -q set_user_tags "$MQ_USER" administrator >/dev/null
    rabbitmqctl -q set_permissions -p / "$MQ_USER" '.*' '.*' '.*' >/dev/null
  fi
}

ensure_haproxy() {
  # HAProxy fronts several notifications processes (NOTIFICATIONS_PROCESSES > 1). Not required
  # otherwise: a user who cannot install packages here is told, not stopped.
  if command -v haproxy >/dev/null; then
    say "haproxy: already installed"
  elif can_install; then
    install_packages haproxy
  else
    say "haproxy: not installed (needed only for NOTIFICATIONS_PROCESSES > 1)"
  fi
}

ensure_browser() {
  # Headless Chromium drives the notifications test pages in `npm test` (--with-browser).
  if [ -x /usr/bin/chromium ]; then
    say "chromium: already installed"
  else
    install_packages chromium
  fi
}

ensure_postgres
ensure_redis
ensure_rabbitmq
ensure_haproxy
[ "$WITH_BROWSER" = 1 ] && ensure_browser
say "ready: postgres://$DB_USER:***@127.0.0.1:$PG_PORT/$DB_NAME amqp://$MQ_USER:***@127.0.0.1:$AMQP_PORT redis://127.0.0.1:$REDIS_PORT"
