#!/bin/sh
# serve.sh - a bounded load test of `dyad serve` on the loopback.
#
#   bench/serve.sh [BUILD]        (default BUILD: build)
#
# Builds a store of 20,000 stories (the demo stories again and again, on
# shifted dates), starts `dyad serve` on 127.0.0.1, and drives it from a
# second process with wrk (Debian package wrk): each endpoint for at most
# 5 seconds and at most 100,000 requests per wrk thread. After each run the
# server must still answer. Prints a markdown table of requests per second
# and latency percentiles (the figures in docs/serve.md and the README).
# Not a pass/fail test: the numbers depend on the machine.
set -eu
BUILD=${1:-build}
DYAD="$BUILD/dyad"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
THREADS=${DYAD_BENCH_THREADS:-4}      # server threads
CONNS=${DYAD_BENCH_CONNECTIONS:-16}   # open connections
SECONDS_PER_RUN=${DYAD_BENCH_SECONDS:-5}
MAX_PER_THREAD=${DYAD_BENCH_MAX:-100000}
STORIES=${DYAD_BENCH_STORIES:-20000}

command -v wrk >/dev/null 2>&1 || { echo "bench/serve.sh needs wrk (apt-get install wrk)"; exit 1; }
[ -x "$DYAD" ] || { echo "no $DYAD: build first (make build)"; exit 1; }

WORK=$(mktemp -d)
SERVE_PID=""
cleanup() {
  if [ -n "$SERVE_PID" ]; then kill -TERM "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
  [ -n "${DYAD_BENCH_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# The corpus: story N is demo story N % 15 with its dates moved N/15 days.
awk -v n="$STORIES" '
  function days(y, m, d,   era, yoe, doy) {
    y -= (m <= 2); era = int(y / 400); yoe = y - era * 400
    doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
    return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
  }
  function civil(z,   era, doe, yoe, y, doy, mp, d, m) {
    z += 719468; era = int(z / 146097); doe = z - era * 146097
    yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
    y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
    mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
    m = mp + (mp < 10 ? 3 : -9); y += (m <= 2)
    return sprintf("%04d-%02d-%02d", y, m, d)
  }
  { line[NR - 1] = $0 }
  END {
    for (i = 0; i < n; i++) {
      s = line[i % NR]
      match(s, /"date": "[0-9-]+"/)
      d = substr(s, RSTART + 9, 10)
      moved = civil(days(substr(d, 1, 4) + 0, substr(d, 6, 2) + 0, substr(d, 9, 2) + 0) + int(i / NR))
      s = substr(s, 1, RSTART - 1) "\"date\": \"" moved "\"" substr(s, RSTART + RLENGTH)
      sub(/"id": "[^"]*"/, "\"id\": \"bench-" i "\"", s)
      print s
    }
  }' "$ROOT/data/demo/stories.jsonl" >"$WORK/stories.jsonl"
"$DYAD" ingest --db "$WORK/bench.db" "$WORK/stories.jsonl" 2>"$WORK/ingest.log"
tail -n 1 "$WORK/ingest.log"

"$DYAD" serve --db "$WORK/bench.db" --port 0 --threads "$THREADS" 2>"$WORK/serve.log" &
SERVE_PID=$!
URL=""
for _ in $(seq 50); do
  URL=$(sed -n 's|^dyad serve: \(http://[^ ]*\) .*|\1|p' "$WORK/serve.log" | head -n 1)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { cat "$WORK/serve.log"; exit 1; }
URL=${URL%/}

# Stop each wrk thread after MAX_PER_THREAD answers.
cat >"$WORK/bounded.lua" <<EOF
local answers = 0
response = function(status, headers, body)
  answers = answers + 1
  if answers >= $MAX_PER_THREAD then wrk.thread:stop() end
end
EOF

alive() {
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/api/summary" || true)
  [ "$code" = 200 ] || { echo "the server stopped answering (status $code)"; cat "$WORK/serve.log"; exit 1; }
}

event_id=$(curl -s "$URL/api/events?dyad=IND,PAK&limit=1" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -n 1)

echo
echo "$(nproc) cores; dyad serve --threads $THREADS; wrk -t2 -c$CONNS -d${SECONDS_PER_RUN}s" \
     "(at most $MAX_PER_THREAD requests per wrk thread); store: $STORIES stories"
echo
echo "| request | requests/s | p50 | p99 | requests | errors |"
echo "|---|---|---|---|---|---|"
for path in "/app.js" "/api/summary" "/api/events?limit=50" "/api/events?dyad=IND,PAK&limit=50&offset=500" \
            "/api/timeline?dyad=IND,PAK&by=week" "/api/network?limit=200" "/api/event?id=$event_id"; do
  wrk -t2 -c"$CONNS" -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/bounded.lua" "$URL$path" >"$WORK/wrk.out" 2>&1
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$WORK/wrk.out")
  p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.out")
  total=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
  errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {n += 1} END {print n + 0}' "$WORK/wrk.out")
  echo "| \`$path\` | $rps | $p50 | $p99 | $total | $errors |"
  alive
done
