#!/usr/bin/env bash
# Redraws the pictures of the README: the seed workflow as osop's PNG,
# and as osop's SVG shown by headless Chromium (Debian's chromium), with
# the fonts this machine has (fc-match; Debian's fonts-noto-cjk for the
# title). The screenshot is taken at twice the SVG's size, like the PNG.
# Usage: docs/images/update.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
seed=${OSOP_SEED:-../shared/seed/kubernetes-deploy.osop.yaml}
out=docs/images
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/osop" ./cmd/osop
"$work/osop" render -f png -o "$out/seed.png" "$seed"
"$work/osop" render -f svg -o "$out/seed.svg" "$seed"

# The SVG's own size, for the window.
read -r w h < <(sed -n 's/.*<svg [^>]*width="\([0-9.]*\)" height="\([0-9.]*\)".*/\1 \2/p' "$out/seed.svg" | head -1)
w=${w%.*}; h=${h%.*}
cat >"$work/page.html" <<HTML
<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#fff}img{display:block}</style></head>
<body><img src="file://$PWD/$out/seed.svg" width="$w" height="$h"></body></html>
HTML
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=2 \
  --user-data-dir="$work/profile" --window-size="$w,$h" \
  --screenshot="$PWD/$out/seed-svg-chromium.png" "file://$work/page.html" >/dev/null 2>&1
ls -l "$out"/seed*
