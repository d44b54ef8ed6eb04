#!/usr/bin/env bash
# A container registry on 127.0.0.1 for the end-to-end tests: Debian's
# docker-registry (the CNCF distribution registry) with a throwaway storage
# directory.
#
#   registry.sh start STATE_DIR   starts it; appends OSOP_E2E_REGISTRY=127.0.0.1:PORT to STATE_DIR/env
#   registry.sh stop STATE_DIR    stops it, by pid
set -euo pipefail
cmd=${1:?usage: registry.sh start|stop STATE_DIR}
state=${2:?usage: registry.sh start|stop STATE_DIR}
mkdir -p "$state/pids" "$state/logs"
pidfile=$state/pids/registry

if [ "$cmd" = stop ]; then
  if [ -f "$pidfile" ]; then
    kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  fi
  exit 0
fi

registry=$(command -v docker-registry || true)
if [ -z "$registry" ]; then
  echo "registry: docker-registry is not installed (apt-get install docker-registry)" >&2
  exit 1
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$state/registry"
cat > "$state/registry.yml" <<CFG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $state/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
CFG
"$registry" serve "$state/registry.yml" >"$state/logs/registry.log" 2>&1 &
echo $! >"$pidfile"
for _ in $(seq 100); do
  if curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then
    echo "OSOP_E2E_REGISTRY=127.0.0.1:$port" >>"$state/env"
    echo "registry: ready on 127.0.0.1:$port" >&2
    exit 0
  fi
  sleep 0.1
done
echo "registry: did not come up; its log:" >&2
tail -20 "$state/logs/registry.log" >&2
exit 1
