#!/usr/bin/env bash
# Times `osop validate` over the whole public corpus (../shared/corpus) and
# reports it against baselines measured in the same run on the same files:
#   - python3 yaml.safe_load of every file (the floor any Python validator,
#     such as the Python osop CLI, pays before it checks anything), and
#   - `osop validate` once per file (the cost of a CI step per file).
# Usage: bench/validate.sh [ROUNDS]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
corpus=${OSOP_CORPUS:-../shared/corpus}
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }

bin=$(mktemp -d)/osop
go build -o "$bin" ./cmd/osop
mapfile -t files < <(find "$corpus" -type f \( -name '*.osop' -o -name '*.osop.yaml' -o -name '*.osoplog.yaml' -o -name '*.sop' \) | sort)
echo "corpus: ${#files[@]} files, $(cat "${files[@]}" | wc -c) bytes; $rounds rounds each"

# best-of-N wall time in milliseconds
best() {
  local best_ms=999999999
  for _ in $(seq "$rounds"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    local ms=$(( (t1 - t0) / 1000000 ))
    (( ms < best_ms )) && best_ms=$ms
  done
  echo "$best_ms"
}

osop_all=$(best "$bin" validate "${files[@]}")
osop_each=$(best bash -c 'for f in "$@"; do "'"$bin"'" validate "$f"; done' _ "${files[@]}")
py=none
if python3 -c 'import yaml' 2>/dev/null; then
  py=$(best python3 -c 'import sys, yaml
for f in sys.argv[1:]:
    yaml.safe_load(open(f, encoding="utf-8"))' "${files[@]}")
fi

printf '%-46s %8s ms\n' "osop validate (all files, one process)" "$osop_all"
printf '%-46s %8s ms\n' "osop validate (one process per file)" "$osop_each"
printf '%-46s %8s ms\n' "python3 yaml.safe_load (parse only)" "$py"
if [ "$py" != none ] && [ "$osop_all" -gt 0 ]; then
  awk -v a="$osop_all" -v p="$py" 'BEGIN { printf "ratio: full osop validation takes %.2fx the time Python needs just to parse the YAML\n", a / p }'
fi
