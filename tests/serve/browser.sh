#!/bin/sh
# browser.sh - the dashboard in a real browser: `dyad ingest` of the demo
# stories (and two reports of one happening, tests/serve/reports.jsonl),
# `dyad serve`, then browser.cjs drives Debian's chromium through
# playwright-core. Saves OUT/serve/dashboard.png.
#
#   browser.sh DYAD OUT           (ctest passes the build folder as OUT)
#   DYAD_SCREENSHOT=docs/dashboard.png browser.sh DYAD OUT   also copy the picture
#
# Skips (77) without node, npm or chromium, or when playwright-core cannot
# be installed (no network and no npm cache).
set -eu
DYAD=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CHROMIUM=${DYAD_CHROMIUM:-/usr/bin/chromium}

for tool in node npm; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (scripts/setup.sh installs nodejs and npm)"
    exit 77
  fi
done
major=$(node -e 'process.stdout.write(process.versions.node.split(".")[0])')
if [ "$major" -lt 20 ]; then
  echo "SKIP: playwright-core needs node 20 or newer (this is node $major)"
  exit 77
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "SKIP: $CHROMIUM is not installed (scripts/setup.sh installs Debian's chromium)"
  exit 77
fi

# playwright-core, at the version of package-lock.json, in the build folder.
NODE_DIR="$OUT/serve/node"
mkdir -p "$NODE_DIR"
if ! cmp -s "$HERE/package-lock.json" "$NODE_DIR/package-lock.json" ||
   [ ! -f "$NODE_DIR/node_modules/playwright-core/package.json" ]; then
  cp "$HERE/package.json" "$HERE/package-lock.json" "$NODE_DIR/"
  # A lock per build folder: two runs must not install into it at once.
  if ! (cd "$NODE_DIR" && flock "$NODE_DIR/.lock" npm ci --no-audit --no-fund --ignore-scripts \
          --prefer-offline >"$NODE_DIR/npm.log" 2>&1); then
    echo "SKIP: cannot install playwright-core with npm (offline?):"
    tail -n 5 "$NODE_DIR/npm.log"
    rm -f "$NODE_DIR/package-lock.json"
    exit 77
  fi
fi

WORK="$OUT/serve/browser"
rm -rf "$WORK"
mkdir -p "$WORK"
. "$HERE/lib.sh"
trap 'serve_stop >/dev/null 2>&1 || true' EXIT INT TERM

DB="$WORK/browser.db"
"$DYAD" ingest --db "$DB" "$ROOT/data/demo/stories.jsonl" "$HERE/reports.jsonl" 2>"$WORK/ingest.log"
stories=$(cat "$ROOT/data/demo/stories.jsonl" "$HERE/reports.jsonl" | grep -c '"id"')
serve_start "$DB" --threads 2

cat > "$WORK/config.json" <<JSON
{"url": "$SERVE_URL", "outdir": "$OUT/serve", "chromium": "$CHROMIUM", "dyad": "$DYAD",
 "db": "$DB", "pair": ["IND", "PAK"], "stories": $stories}
JSON
rc=0
NODE_PATH="$NODE_DIR/node_modules" node "$HERE/browser.cjs" "$WORK/config.json" || rc=$?
serve_stop || rc=1
if [ $rc = 0 ] && [ -n "${DYAD_SCREENSHOT:-}" ]; then
  cp "$OUT/serve/dashboard.png" "$DYAD_SCREENSHOT"
  echo "copied the screenshot to $DYAD_SCREENSHOT"
fi
exit $rc
