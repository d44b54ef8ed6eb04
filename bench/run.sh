#!/usr/bin/env bash
# Whole-process `osop run`, as a user runs it, measured by hyperfine in
# one run against baselines on the same machine at the same time (on a
# shared machine only ratios from one run mean anything):
#   - chains of N cli nodes running `true` (N = 200 and 2,000) against N
#     `sh -c true` and N `bash --noprofile --norc -eo pipefail -c true`
#     from a shell loop, and against the Python osop CLI when installed
#     (OSOP_PYTHON_CLI="path/to/osop": `osop record --allow-exec`);
#   - a 500-way fan-out of `sleep 1` with --max-parallel 500;
#   - peak RSS of each osop run (/usr/bin/time -v);
#   - CPU used over 10 s by a run blocked on `sleep 60` and by one blocked
#     on a manual step (--manual=wait): nothing may poll while it waits.
# Goals (issue 12): chain <= 1.5x the bash loop at both sizes; fan-out
# < 3 s; no CPU while waiting.
# Usage: bench/run.sh [RUNS]   (default 10; the 2,000 chain runs RUNS/2)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
command -v hyperfine >/dev/null || { echo "hyperfine is required (Debian: apt-get install hyperfine)" >&2; exit 2; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
bin=$dir/osop
go build -trimpath -ldflags='-s -w' -o "$bin" ./cmd/osop
work=$dir/work
mkdir -p "$work"

chain() { # chain N: a workflow of N cli nodes running true, in a chain
  local n=$1 i
  {
    printf 'osop_version: "2.0"\nid: chain%s\nname: chain %s\nnodes:\n' "$n" "$n"
    for ((i = 1; i <= n; i++)); do printf "  - {id: n%d, type: cli, runtime: {command: 'true'}}\n" "$i"; done
    printf 'edges:\n'
    for ((i = 2; i <= n; i++)); do printf '  - {from: n%d, to: n%d}\n' $((i - 1)) "$i"; done
  } >"$dir/chain$n.osop.yaml"
}
fanout() {
  local i
  {
    printf 'osop_version: "2.0"\nid: fan\nname: fan-out\nnodes:\n  - {id: start, type: cli, runtime: {command: "true"}}\n'
    for ((i = 0; i < 500; i++)); do printf "  - {id: s%d, type: cli, runtime: {command: 'sleep 1'}}\n" "$i"; done
    printf 'edges:\n'
    for ((i = 0; i < 500; i++)); do printf '  - {from: start, to: s%d, mode: parallel}\n' "$i"; done
  } >"$dir/fan.osop.yaml"
}
cat >"$dir/loop.sh" <<'EOF'
#!/bin/sh
# loop.sh N CMD...: runs CMD N times
n=$1; shift; i=0
while [ $i -lt "$n" ]; do "$@"; i=$((i + 1)); done
EOF
chmod +x "$dir/loop.sh"
chain 200
chain 2000
fanout
{ # 10,000 system no-op nodes (routers) in a chain: osop's own cost per node,
  # store and record included (data nodes would pass the 1 MiB file limit)
  printf 'osop_version: "2.0"\nid: noop\nname: no-ops\nnodes:\n'
  for ((i = 0; i < 10000; i++)); do printf '  - {id: n%d, type: system, subtype: router}\n' "$i"; done
  printf 'edges:\n'
  for ((i = 1; i < 10000; i++)); do printf '  - {from: n%d, to: n%d}\n' $((i - 1)) "$i"; done
} >"$dir/noop.osop.yaml"
py=${OSOP_PYTHON_CLI:-}
[ -n "$py" ] || echo "no Python osop CLI on this machine (pip install osop needs PyPI); set OSOP_PYTHON_CLI to compare with it"

bench() { # bench NAME RUNS N: the chain of N against its baselines
  local name=$1 r=$2 n=$3
  local cmds=(-n "$n x sh -c true" "$dir/loop.sh $n sh -c true"
    -n "$n x bash -c true" "$dir/loop.sh $n bash --noprofile --norc -eo pipefail -c true"
    -n "osop run chain$n" "$bin run $dir/chain$n.osop.yaml")
  [ -z "$py" ] || cmds+=(-n "python osop chain$n" "$py record --allow-exec $dir/chain$n.osop.yaml")
  (cd "$work" && hyperfine -N --warmup 1 --runs "$r" --prepare "rm -rf $work/.osop" \
    --export-json "$dir/$name.json" "${cmds[@]}" >"$dir/$name.txt" 2>&1) || { cat "$dir/$name.txt"; exit 1; }
  grep -E '^Benchmark|Time \(mean' "$dir/$name.txt"
  python3 - "$dir/$name.json" "$n" <<'PY'
import json, sys
rs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
n = sys.argv[2]
osop, bash = rs[f"osop run chain{n}"], rs[f"{n} x bash -c true"]
for k in ("median", "min"):
    print(f"  osop / bash loop ({k}): {osop[k]/bash[k]:.2f}x", "(goal <= 1.5x)" if k == "median" else "")
print(f"  cpu (user+sys) osop / bash loop: {(osop['user']+osop['system'])/(bash['user']+bash['system']):.2f}x")
py = [r for c, r in rs.items() if c.startswith("python")]
if py:
    print(f"  python / osop (median): {py[0]['median']/osop['median']:.2f}x (goal >= 1.5x)")
PY
}
echo "== chain of 200"
bench c200 "$runs" 200
echo "== chain of 2,000"
bench c2000 $(((runs + 1) / 2)) 2000

echo "== 500-way fan-out of sleep 1, --max-parallel 500"
(cd "$work" && rm -rf .osop && hyperfine -N --runs 3 --prepare "rm -rf $work/.osop" -n "fan-out 500" \
  "$bin run --max-parallel 500 $dir/fan.osop.yaml" 2>&1 | grep -E 'Time \(mean|Range') 

echo "== peak RSS and time per node (/usr/bin/time -v; goal for 10,000 no-op nodes: < 50 µs/node, < 100 MiB)"
for f in chain200 chain2000 fan noop; do
  extra=""; [ $f = fan ] && extra="--max-parallel 500"
  (cd "$work" && rm -rf .osop && /usr/bin/time -v "$bin" run $extra "$dir/$f.osop.yaml" 2>&1 >/dev/null |
    awk -v f=$f -v n=$([ $f = noop ] && echo 10000 || echo 0) '
      /Elapsed \(wall clock\)/ {split($NF, t, ":"); s = t[length(t)] + 60 * (length(t) > 1 ? t[length(t)-1] : 0)}
      /Maximum resident/ {rss = $6 / 1024}
      END {printf "  %-10s %6.1f MiB  %.2f s", f, rss, s; if (n) printf "  %.0f µs/node", s * 1e6 / n; print ""}')
done

echo "== CPU while waiting (10 s, /proc/PID/stat utime+stime, in clock ticks of 1/$(getconf CLK_TCK) s)"
cat >"$dir/sleep.osop.yaml" <<'EOF'
osop_version: "2.0"
id: wait-sleep
name: waits on sleep 60
nodes:
  - {id: s, type: cli, runtime: {command: 'sleep 60'}}
edges: []
EOF
cat >"$dir/manual.osop.yaml" <<'EOF'
osop_version: "2.0"
id: wait-manual
name: waits on a manual step
nodes:
  - {id: m, type: human, purpose: Check the release by hand}
edges: []
EOF
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
waiting() { # waiting NAME ARGS...: CPU ticks the osop process spends in 10 s of waiting
  local name=$1; shift
  (cd "$work" && rm -rf .osop && exec "$bin" run "$@" </dev/null >/dev/null 2>&1) &
  local pid=$!
  sleep 2 # past start-up
  local a b
  a=$(ticks $pid); sleep 10; b=$(ticks $pid)
  kill -INT $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  echo "  $name: $((b - a)) ticks in 10 s (goal 0)"
}
waiting "sleep 60" "$dir/sleep.osop.yaml"
waiting "manual step, --manual=wait" --manual=wait "$dir/manual.osop.yaml"
