#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server up on 127.0.0.1: a new
# cluster (Debian's postgresql package: initdb and pg_ctl from
# /usr/lib/postgresql/*/bin) in a temporary directory, password
# authentication (scram-sha-256) for the user osop, on a free port. The
# tests find it through OSOP_TEST_PG_DSN (with the password),
# OSOP_TEST_PG_PASSWORD and OSOP_TEST_PG_ADDR (host:port); it is stopped and removed afterwards, whatever
# happens. Composes with test/e2e/run.sh:
#
#   test/pg.sh go test -race ./internal/executor/db/...
#   test/pg.sh test/e2e/run.sh go test -race ./...     (what .ci/run does)
set -euo pipefail

bindir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bindir=$d; break; fi
done
if [ -z "$bindir" ]; then
  echo "pg: PostgreSQL is not installed (apt-get install postgresql); running without it" >&2
  exec "$@"
fi

state=$(mktemp -d "${TMPDIR:-/tmp}/osop-pg.XXXXXX")
chmod 755 "$state"
# initdb refuses to run as root: the cluster belongs to the postgres user.
as=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$state"
  as=(runuser -u postgres --)
fi
cleanup() {
  code=$?
  "${as[@]}" "$bindir/pg_ctl" -D "$state/data" -m immediate stop >/dev/null 2>&1 || true
  if [ $code -ne 0 ] && [ -f "$state/log" ]; then
    echo "pg: server log kept in $state/log" >&2
  else
    rm -rf "$state"
  fi
  exit $code
}
trap cleanup EXIT INT TERM

password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$password" >"$state/pw"
chmod 644 "$state/pw"
"${as[@]}" "$bindir/initdb" -D "$state/data" -U osop --pwfile="$state/pw" \
  --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --no-instructions >"$state/initdb.log" 2>&1 ||
  { cat "$state/initdb.log" >&2; exit 1; }
rm -f "$state/pw"

# A free port: the kernel's pick for a socket bound to port 0.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as[@]}" "$bindir/pg_ctl" -D "$state/data" -l "$state/log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $state -c max_connections=200 -c fsync=off" start >/dev/null

export OSOP_TEST_PG_DSN="postgres://osop:$password@127.0.0.1:$port/postgres?sslmode=disable"
export OSOP_TEST_PG_PASSWORD=$password
export OSOP_TEST_PG_ADDR=127.0.0.1:$port
echo "pg: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') up on 127.0.0.1:$port" >&2

if [ $# -eq 0 ]; then
  set -- go test -count=1 ./internal/executor/db/...
fi
"$@"
