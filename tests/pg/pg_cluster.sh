#!/usr/bin/env bash
# A private, throw-away PostgreSQL 15 cluster for the tests.
#
#   tests/pg/pg_cluster.sh start <dir>   initdb a new cluster, start it on a free
#                                        127.0.0.1 port, write the URL to <dir>/url
#   tests/pg/pg_cluster.sh stop <dir>    stop it and remove <dir>
#   tests/pg/pg_cluster.sh restart <dir> [fast|immediate]
#                                        restart it (immediate: as if it crashed)
# SWITCHBOARD_PG_DURABLE=1 keeps fsync and synchronous_commit on.
#
# The server runs as the `postgres` OS user (PostgreSQL refuses to run as
# root), listens only on 127.0.0.1 and keeps its unix socket beside its data,
# so it never touches a system cluster. Trust authentication: test use only.
# The data lives in a fresh /tmp/switchboard-pg.XXXXXX directory (named in
# <dir>/cluster), because the postgres user may not be able to traverse the
# path of <dir> (e.g. a build tree under /root). Starting over an old <dir>
# (a crashed earlier run) stops and wipes that cluster first.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop|restart <dir> [fast|immediate]" >&2
  exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

find_bindir() {
  local candidate
  for candidate in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"  # already an unprivileged user that may own the cluster
  fi
}

stop_cluster() {
  local run=""
  [[ -f "$dir/cluster" ]] && run=$(cat "$dir/cluster")
  if [[ -n "$run" && -f "$run/data/postmaster.pid" && -n "$bindir" ]]; then
    as_postgres "$bindir/pg_ctl" -D "$run/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  [[ "$run" == /tmp/switchboard-pg.* ]] && rm -rf "$run"
  rm -rf "$dir"
}

bindir=$(find_bindir || true)
if [[ -z "$bindir" && "$cmd" == start ]]; then
  echo "PostgreSQL server not found; running scripts/setup.sh" >&2
  "$repo/scripts/setup.sh" >&2
  bindir=$(find_bindir) || { echo "PostgreSQL is still missing after setup.sh" >&2; exit 1; }
fi

case "$cmd" in
  stop)
    stop_cluster
    ;;
  start)
    stop_cluster
    mkdir -p "$dir"
    run=$(mktemp -d /tmp/switchboard-pg.XXXXXX)
    echo "$run" >"$dir/cluster"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$run"; fi
    chmod 0755 "$run"
    data="$run/data"
    as_postgres "$bindir/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$run/initdb.log" 2>&1 ||
      as_postgres "$bindir/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C >"$run/initdb.log" 2>&1 || {
        cat "$run/initdb.log" >&2
        exit 1
      }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$run'
max_connections = 300
shared_buffers = 64MB
log_min_messages = warning
CONF
    # fsync/synchronous_commit/full_page_writes off: THIS TEST CLUSTER ONLY, to
    # make the many small test transactions fast. A crash loses the cluster,
    # which the tests recreate anyway. Never use these settings for real data.
    # SWITCHBOARD_PG_DURABLE=1 keeps PostgreSQL's durable defaults (benchmarks).
    if [[ "${SWITCHBOARD_PG_DURABLE:-0}" != 1 ]]; then
      printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$data/postgresql.conf"
    fi
    as_postgres "$bindir/pg_ctl" -D "$data" -l "$run/server.log" -w -t 60 start >/dev/null || {
      cat "$run/server.log" >&2
      exit 1
    }
    for _ in $(seq 1 100); do
      if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
        echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$dir/url.tmp"
        mv "$dir/url.tmp" "$dir/url"
        cat "$dir/url"
        exit 0
      fi
      sleep 0.1
    done
    echo "PostgreSQL did not become ready on port $port" >&2
    cat "$run/server.log" >&2
    exit 1
    ;;
  restart)
    # For tests of nodes surviving it. fast: a clean shutdown (clients are cut
    # off); immediate: like a crash, PostgreSQL recovers from its WAL at start.
    mode=${3:-fast}
    run=$(cat "$dir/cluster")
    as_postgres "$bindir/pg_ctl" -D "$run/data" -l "$run/server.log" -m "$mode" -w -t 60 restart >/dev/null
    ;;
  *)
    echo "usage: $0 start|stop|restart <dir>" >&2
    exit 2
    ;;
esac
