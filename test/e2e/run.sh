#!/usr/bin/env bash
# Runs a command with the end-to-end environment up: a registry and a
# Kubernetes control plane on 127.0.0.1 (see cluster.sh, registry.sh). The
# environment is described to the tests by variables (OSOP_E2E_*), and torn
# down afterwards, by process id, whatever happens.
#
#   test/e2e/run.sh                       runs the end-to-end tests
#   test/e2e/run.sh go test -race ./...   runs every test, the e2e ones included (what .ci/run does)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
state=$(mktemp -d "${TMPDIR:-/tmp}/osop-e2e.XXXXXX")
cleanup() {
  code=$?
  "$here/registry.sh" stop "$state" || true
  "$here/cluster.sh" stop "$state" || true
  docker rm -f $(docker ps -aq --filter label=osop-e2e) >/dev/null 2>&1 || true
  if [ $code -ne 0 ] && [ -d "$state/logs" ]; then
    echo "e2e: logs kept in $state/logs" >&2
  else
    rm -rf "$state"
  fi
  exit $code
}
trap cleanup EXIT INT TERM

start=$(date +%s)
"$here/cluster.sh" start "$state"
"$here/registry.sh" start "$state"
set -a
# shellcheck disable=SC1091
. "$state/env"
set +a
export OSOP_E2E_STATE=$state
# helm, built and cached with the cluster's binaries, for the Helm executor's tests.
PATH="$("$here/build-tools.sh" helm):$PATH"
echo "e2e: environment up in $(( $(date +%s) - start ))s" >&2

cd "$root"
if [ $# -eq 0 ]; then
  set -- go test -count=1 -v ./test/e2e/...
fi
"$@"
