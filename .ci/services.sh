# Start the servers the scale-out tests need: Redis (Celery broker) and PostgreSQL.
#
# Source it (`. .ci/services.sh`) from .ci/run or a shell: it starts what is not running and
# exports SCANPIPE_TEST_REDIS_URL and SCANPIPE_TEST_PG_URL. It is idempotent, so running it
# twice on a developer machine is harmless. Needs root (CI) or sudo, and the Debian packages
# redis-server and postgresql (the Makefile's APT_PACKAGES).
#
# PostgreSQL gets its own cluster, not the package's "main" one: on a fresh machine "main" is
# created with whatever locale the machine has (often C), and a registry database must not
# have LC_CTYPE C (Devanagari trigrams come out empty). Ours is created with C.UTF-8, which
# every glibc system has.

SCANPIPE_PG_PORT="${SCANPIPE_PG_PORT:-5433}"
SCANPIPE_REDIS_PORT="${SCANPIPE_REDIS_PORT:-6390}"
_sp_sudo=""
[ "$(id -u)" = 0 ] || _sp_sudo="sudo"

_sp_start_redis() {
  if redis-cli -p "$SCANPIPE_REDIS_PORT" ping >/dev/null 2>&1; then
    return 0
  fi
  local dir=/tmp/scanpipe-redis-$SCANPIPE_REDIS_PORT
  mkdir -p "$dir"
  # No persistence: a test broker. Production keeps AOF on (docs/scale-out.md).
  redis-server --port "$SCANPIPE_REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
    --save '' --appendonly no --dir "$dir" --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log"
  for _ in $(seq 50); do
    redis-cli -p "$SCANPIPE_REDIS_PORT" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis-server did not start; see $dir/redis.log" >&2
  return 1
}

_sp_start_postgres() {
  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $2}' | grep -qx scanpipe; then
    $_sp_sudo pg_createcluster "$version" scanpipe -p "$SCANPIPE_PG_PORT" \
      --locale C.UTF-8 --encoding UTF8 >/dev/null
  fi
  if ! pg_lsclusters -h | awk '$2 == "scanpipe" {print $4}' | grep -q online; then
    $_sp_sudo pg_ctlcluster "$version" scanpipe start
  fi
  local psql="$_sp_sudo runuser -u postgres -- psql -p $SCANPIPE_PG_PORT -v ON_ERROR_STOP=1 -qtA"
  for _ in $(seq 50); do
    $psql -c 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.2
  done
  # The tests create (and drop) a database per module, so the role may create databases.
  if [ "$($psql -c "SELECT 1 FROM pg_roles WHERE rolname = 'scanpipe'")" != 1 ]; then
    $psql -c "CREATE ROLE scanpipe LOGIN CREATEDB PASSWORD 'scanpipe'"
  fi
  if [ "$($psql -c "SELECT 1 FROM pg_database WHERE datname = 'scanpipe'")" != 1 ]; then
    $psql -c "CREATE DATABASE scanpipe OWNER scanpipe TEMPLATE template0 ENCODING 'UTF8' \
      LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
  fi
}

_sp_start_redis
_sp_start_postgres
export SCANPIPE_TEST_REDIS_URL="redis://127.0.0.1:$SCANPIPE_REDIS_PORT/0"
export SCANPIPE_TEST_PG_URL="postgresql+psycopg://scanpipe:scanpipe@127.0.0.1:$SCANPIPE_PG_PORT/scanpipe"
