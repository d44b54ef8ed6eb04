#!/usr/bin/env bash
# Mutation testing with gremlins (github.com/go-gremlins/gremlins): for each
# package, gremlins changes one operator at a time in the code the package's
# own tests cover and runs those tests; a mutant the tests still pass on
# "lived". Efficacy is gremlins' figure, killed / (killed + lived); the
# project's goal is >= 85% for each package listed below (issue 14).
#
#   bench/mutate.sh                      every package, smallest first
#   bench/mutate.sh secret expr          only these (names under internal/)
#   MUTATE_WORKERS=2 bench/mutate.sh     more workers (default 1: the machine is shared)
#   MUTATE_TIMEOUT_COEFFICIENT=20        gremlins times a mutant out after this many times
#                                        the unmutated run; a low one on a busy machine turns
#                                        most mutants into "timed out", which efficacy ignores
#
# One package at a time, nice'd. The JSON results and the logs (which name the
# surviving mutants, file:line:col) go to $MUTATE_OUT (default
# ${TMPDIR:-/tmp}/osop-mutate). Slow: minutes per package, an hour or more for
# all of them; it is not part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=${GOFLAGS:--buildvcs=false}
export OSOP_SHARED=${OSOP_SHARED:-/work/shared}
version=v0.6.0
workers=${MUTATE_WORKERS:-1}
out=${MUTATE_OUT:-${TMPDIR:-/tmp}/osop-mutate}
mkdir -p "$out"

gremlins=$(go env GOPATH)/bin/gremlins
# go install builds report "dev" as their version; the module line is exact.
if ! go version -m "$gremlins" 2>/dev/null | grep -q "mod.*gremlins.*$version"; then
  echo "installing gremlins $version" >&2
  go install "github.com/go-gremlins/gremlins/cmd/gremlins@$version"
fi

if [ $# -eq 0 ]; then
  set -- secret expr template runlog validate store machine engine \
    executor/shell executor/proc executor/infra executor/docker executor/mcp \
    executor/db executor/agent
fi

printf '%-22s %8s %7s %6s %9s %9s\n' package covered killed lived timed_out efficacy
for pkg in "$@"; do
  name=${pkg//\//-}
  log="$out/$name.log"
  start=$(date +%s)
  # gremlins exits non-zero only for thresholds, which are not set here.
  nice -n 10 "$gremlins" unleash --workers "$workers" --timeout-coefficient "${MUTATE_TIMEOUT_COEFFICIENT:-20}" \
    --output "$out/$name.json" "./internal/$pkg" >"$log" 2>&1 || true
  secs=$(( $(date +%s) - start ))
  python3 - "$out/$name.json" "$pkg" "$secs" <<'PY'
import json, sys
path, pkg, secs = sys.argv[1:]
try:
    r = json.load(open(path))
except (OSError, ValueError) as e:
    print(f"{pkg:<22} gremlins produced no result ({e}); see the log"); sys.exit()
counts = {}
for f in r.get("files", []):
    for m in f.get("mutations", []):
        counts[m["status"]] = counts.get(m["status"], 0) + 1
k, l, t = counts.get("KILLED", 0), counts.get("LIVED", 0), counts.get("TIMED OUT", 0)
print(f"{pkg:<22} {k + l:8} {k:7} {l:6} {t:9} {r.get('test_efficacy', 0):8.2f}%  ({secs}s)")
PY
  grep -E '^ *LIVED' "$log" | sed "s|^ *|    |" || true
done
