#!/usr/bin/env bash
# Whole-process start-up, measured by hyperfine in one run against
# baselines on the same machine at the same time:
#   - /bin/true (what starting any process costs),
#   - osop --version (start-up alone: package initialisation, flags),
#   - osop validate of the seed (start-up plus loading and checking a file),
#   - the Python osop CLI validating the seed, when it is installed
#     (OSOP_PYTHON_CLI="path/to/osop", or python3 -m osop).
# Goals: --version within 3 ms of /bin/true, validate of the seed <= 8 ms.
# Usage: bench/startup.sh [RUNS]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
seed=${OSOP_SEED:-../shared/seed/kubernetes-deploy.osop.yaml}
[ -f "$seed" ] || { echo "no seed workflow at $seed" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine is required (Debian: apt-get install hyperfine)" >&2; exit 2; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
bin=$dir/osop
go build -trimpath -ldflags='-s -w' -o "$bin" ./cmd/osop
echo "binary: $(stat -c %s "$bin") bytes (go build -trimpath -ldflags='-s -w')"

cmds=(-n "/bin/true" "/bin/true"
      -n "osop --version" "$bin --version"
      -n "osop validate seed" "$bin validate $seed")
py=${OSOP_PYTHON_CLI:-}
if [ -z "$py" ] && python3 -c 'import osop' 2>/dev/null; then
  py="python3 -m osop"
fi
if [ -n "$py" ]; then
  cmds+=(-n "python osop validate seed" "$py validate $seed")
else
  echo "no Python osop CLI on this machine (pip install osop needs PyPI); set OSOP_PYTHON_CLI to compare with it"
fi

# Nothing may be written to TMPDIR while we measure (go-graphviz used to).
export TMPDIR=$dir/tmp
mkdir -p "$TMPDIR"
hyperfine -N --warmup 10 --runs "$runs" --export-json "$dir/result.json" "${cmds[@]}" >"$dir/hyperfine.txt" 2>&1 ||
  { cat "$dir/hyperfine.txt"; exit 1; }
grep -E '^Benchmark|Time \(mean' "$dir/hyperfine.txt"
python3 - "$dir/result.json" <<'PY'
import json, sys
rs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
base = rs["/bin/true"]
def ms(r, k): return r[k] * 1000
print()
print(f"{'':28} {'mean':>8} {'median':>8} {'min':>8}   over /bin/true (median)")
for name, r in rs.items():
    print(f"{name:28} {ms(r,'mean'):7.2f}ms {ms(r,'median'):7.2f}ms {ms(r,'min'):7.2f}ms   {ms(r,'median')-ms(base,'median'):+7.2f} ms")
v, s = rs["osop --version"], rs["osop validate seed"]
print()
print(f"goal: --version within 3 ms of /bin/true: {ms(v,'median')-ms(base,'median'):.2f} ms  ->", "met" if ms(v,'median')-ms(base,'median') <= 3 else "NOT met")
print(f"goal: validate of the seed <= 8 ms: {ms(s,'median'):.2f} ms  ->", "met" if ms(s,'median') <= 8 else "NOT met")
py = [r for n, r in rs.items() if n.startswith("python")]
if py:
    print(f"python CLI / osop validate: {ms(py[0],'median')/ms(s,'median'):.1f}x (goal >= 50x)")
PY
if [ -n "$(ls -A "$TMPDIR")" ]; then
  echo "osop wrote to TMPDIR: $(ls -A "$TMPDIR")" >&2
  exit 1
fi
