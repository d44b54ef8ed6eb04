#!/usr/bin/env bash
# The size of the osop binary as released (go build -trimpath -ldflags='-s
# -w') and what takes the room: symbol sizes from go tool nm, summed by
# module (the standard library by package), largest first.
# Usage: bench/size.sh [TOP]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
top=${1:-20}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -trimpath -ldflags='-s -w' -o "$dir/osop" ./cmd/osop
go build -trimpath -o "$dir/osop-syms" ./cmd/osop
echo "osop: $(stat -c %s "$dir/osop") bytes stripped, $(stat -c %s "$dir/osop-syms") with symbols"
go tool nm -size -sort size "$dir/osop-syms" >"$dir/nm.txt"
readelf -SW "$dir/osop-syms" >"$dir/sections.txt"
python3 - "$dir/nm.txt" "$top" "$dir/sections.txt" <<'PY'
import re, sys, collections
# Zero-filled sections (bss) take no room in the file: leave their symbols out.
nobits = []
for line in open(sys.argv[3]):
    m = re.search(r"\]\s+(\S+)\s+NOBITS\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
    if m:
        start = int(m.group(2), 16)
        nobits.append((start, start + int(m.group(3), 16)))
print("largest sections in the file:")
secs = []
for line in open(sys.argv[3]):
    m = re.search(r"\]\s+(\S+)\s+(PROGBITS)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", line)
    if m:
        secs.append((int(m.group(3), 16), m.group(1)))
for n, name in sorted(secs, reverse=True)[:4]:
    print(f"  {n/1e6:7.2f} MB  {name}")
sizes = collections.Counter()
for line in open(sys.argv[1]):
    f = line.split(None, 3)
    if len(f) < 4 or f[2] in "UBb":
        continue
    addr = int(f[0], 16)
    if any(lo <= addr < hi for lo, hi in nobits):
        continue
    size, name = int(f[1]), f[3].strip()
    if name.startswith(("go:", "type:", "runtime.")) or "." not in name:
        key = "runtime and type data"
    else:
        path, _, rest = name.rpartition("/")
        pkg = (path + "/" if path else "") + rest.split(".", 1)[0]
        parts = pkg.split("/")
        if "." in parts[0]:  # a module: github.com/owner/repo, golang.org/x/repo, cel.dev/expr
            n = 3 if parts[0] in ("github.com", "golang.org", "google.golang.org", "gopkg.in") else 2
            key = "/".join(parts[:n])
        else:
            key = "std " + pkg
    sizes[key] += size
total = sum(sizes.values())
print(f"code and data by module ({total/1e6:.1f} MB of symbols; .gopclntab, the runtime's line tables, comes on top):")
for key, n in sizes.most_common(int(sys.argv[2])):
    print(f"  {n/1e6:7.2f} MB  {100*n/total:5.1f}%  {key}")
PY
