#!/bin/sh
# http.sh DYAD PROBE BACKEND OUT - `dyad serve` answers malformed queries,
# huge limits, traversal paths and other hostile requests with a clear 4xx
# (a JSON message), never a crash and never a file outside the embedded
# ones; on PostgreSQL (a server this script starts) every answer is the
# same, byte for byte, as on SQLite.
set -u
DYAD=$1
PROBE=$2
BACKEND=$3
OUT=$4
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK="$OUT/serve/http-$BACKEND"
rm -rf "$WORK"
mkdir -p "$WORK"
. "$HERE/lib.sh"

pgstarted=""
cleanup() {
  serve_stop >/dev/null 2>&1 || true
  if [ -n "$pgstarted" ]; then
    $PGRUN "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1
  fi
}
trap cleanup EXIT INT TERM

STORIES="$ROOT/data/demo/stories.jsonl $HERE/reports.jsonl"
SQLITE_DB="$WORK/serve.db"
# shellcheck disable=SC2086
"$DYAD" ingest --db "$SQLITE_DB" $STORIES 2>"$WORK/ingest.log" || { cat "$WORK/ingest.log"; exit 1; }
DB=$SQLITE_DB

if [ "$BACKEND" = postgresql ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "SKIP: PostgreSQL server binaries not installed (apt-get install postgresql)"
    exit 77
  fi
  PGRUN=""
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "SKIP: no postgres user"; exit 77; }
    chown postgres "$WORK"
    PGRUN="runuser -u postgres --"
  fi
  $PGRUN "$PGBIN/initdb" -D "$WORK/pg" -A trust -U dyad >/dev/null 2>&1 || { echo "FAIL: initdb"; exit 1; }
  $PGRUN "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
    -o "-k $WORK -c listen_addresses='' -c fsync=off" start >/dev/null ||
    { cat "$WORK/pg.log"; echo "FAIL: pg_ctl start"; exit 1; }
  pgstarted=1
  $PGRUN "$PGBIN/createdb" -h "$WORK" -U dyad serve || { echo "FAIL: createdb"; exit 1; }
  DB="postgresql:///serve?host=$WORK&user=dyad"
  # shellcheck disable=SC2086
  "$DYAD" ingest --db "$DB" $STORIES 2>"$WORK/ingest-pg.log" || { cat "$WORK/ingest-pg.log"; exit 1; }
fi

# A missing SQLite file is refused (opening it would create an empty store).
if "$DYAD" serve --db "$WORK/missing.db" --port 0 2>"$WORK/missing.log"; then
  echo "FAIL: serve of a missing store started"
  exit 1
fi
grep -q "no such store" "$WORK/missing.log" || { cat "$WORK/missing.log"; echo "FAIL: missing store message"; exit 1; }
[ ! -e "$WORK/missing.db" ] || { echo "FAIL: serve created $WORK/missing.db"; exit 1; }

serve_start "$DB" --threads 3 || exit 1
PORT=$SERVE_PORT
passes=0
fails=0

# expect STATUS TEXT PROBE-ARGS...: the answer's status is STATUS (or one
# of "400|404"), its body contains TEXT, and it never holds a system file.
expect() {
  want=$1
  text=$2
  shift 2
  "$PROBE" "$PORT" "$@" >"$WORK/answer" 2>"$WORK/probe.err"
  got=$(head -n 1 "$WORK/answer")
  tail -n +2 "$WORK/answer" >"$WORK/body"
  ok=1
  case "|$want|" in *"|$got|"*) ;; *) ok=0 ;; esac
  if [ -n "$text" ] && ! grep -qF -- "$text" "$WORK/body"; then ok=0; fi
  if grep -q -e 'root:x:0:0' -e 'PRIVATE KEY' "$WORK/body"; then ok=0; fi
  if [ "$ok" = 1 ]; then
    passes=$((passes + 1))
  else
    fails=$((fails + 1))
    echo "FAIL: $* -> $got (wanted $want with '$text'):"
    head -c 400 "$WORK/body"
    cat "$WORK/probe.err"
    echo
  fi
}

# The page and its files; nothing else of the file system.
expect 200 '<!doctype html>' /
expect 200 '<!doctype html>' /index.html
expect 200 "'use strict'" /app.js
expect 200 'MIT' /vendor/LICENSE.uplot
expect 200 'cytoscape' /vendor/VERSIONS
expect 200 '' -m HEAD /
expect 404 '"error":"no such file"' /etc/passwd
expect 404 'no such file' /index.htm
expect 404 'no such file' /vendor/
expect 404 'no such file' /refresh-vendor.sh
expect 404 'no such file' /README.md
expect 400 'invalid path' /../../../../etc/passwd
expect 400 'invalid path' /vendor/../app.js
expect 400 'invalid path' /%2e%2e/%2e%2e/etc/passwd
expect 400 'invalid path' /%2E%2E%2F%2E%2E%2Fetc%2Fpasswd
expect 400 'invalid path' /..%2f..%2f..%2fetc%2fpasswd
expect 400 'invalid path' /%2e%2e%5c%2e%2e%5cetc%5cpasswd
expect 400 'invalid path' '/..\..\etc\passwd'
expect 400 'invalid path' /index.html%00.png
expect 400 'invalid path' '//etc/passwd'
expect 404 'no such file' '/%252e%252e/%252e%252e/etc/passwd'   # decoded once only
expect 400 'invalid path' /api/../../etc/passwd
expect 404 'no such endpoint' /api/nope
expect 404 'no such endpoint' /api/events/

# Endpoints, good and bad.
expect 200 '"backend":' /api/summary
expect 200 '"total":' '/api/events?limit=1000'
expect 200 '"total":' '/api/events?dyad=IND,PAK&from=2019-01-01&to=2025-12-31&root=19&quad=4'
expect 200 '"series":' '/api/timeline?dyad=IND,PAK&by=week'
expect 200 '"edges":' '/api/network?limit=1000&min_sources=2'
expect 200 '"actors":' '/api/actors?modality=asserted'
expect 400 'limit must be a whole number from 1 to 1000' '/api/events?limit=1001'
expect 400 'limit must be a whole number from 1 to 1000' '/api/network?limit=100000000'
expect 400 'limit must be' '/api/events?limit=99999999999999999999999999'
expect 400 'limit must be' '/api/events?limit=-1'
expect 400 'limit must be' '/api/events?limit=0x10'
expect 400 'offset must be' '/api/events?offset=1000000000'
expect 400 'from must be a date' '/api/events?from=2025-13-45'
expect 400 'is after' '/api/events?from=2025-06-01&to=2025-01-01'
expect 400 'actor must be an actor code' "/api/events?actor=%27%3B%20DROP%20TABLE%20events%3B--"
expect 400 'actor must be' '/api/events?actor=PAK%00'
expect 400 'dyad takes two actor codes' '/api/timeline?dyad=IND'
expect 400 'quad must be' '/api/events?quad=5'
expect 400 'root must be' '/api/events?root=99'
expect 400 'modality must be one of' '/api/events?modality=certain'
expect 400 'by must be day, week, month or year' '/api/timeline?by=hour'
expect 400 "unknown parameter 'bogus'" '/api/events?bogus=1'
expect 400 "unknown parameter 'limit'" '/api/timeline?limit=5'
expect 400 'given twice' '/api/events?actor=IND&actor=PAK'
expect 400 'too many parameters' "/api/events?$(i=0; while [ $i -lt 40 ]; do printf 'a%d=1&' $i; i=$((i + 1)); done)"
expect 400 'too long' "/api/events?place=$(head -c 400 /dev/zero | tr '\0' x)"
expect 400 'too long' -long 30000
expect 400 'id is required' '/api/event'
expect 400 'id must be an event id' '/api/event?id=../../etc/passwd'
expect 404 'no event with id' '/api/event?id=nope-0-0'
# Quotes in a value are data, not SQL: no match, no error.
expect 200 '"total":0' "/api/events?place=%27%20OR%20%271%27%3D%271"
expect 200 '"total":0' "/api/events?place=x%27%29%3B%20DELETE%20FROM%20events%3B--"

# Not a read: other methods, bodies, foreign Host headers.
expect 405 'only GET and HEAD' -m POST /api/events
expect 405 'only GET and HEAD' -m DELETE /
expect 405 'only GET and HEAD' -m PUT /index.html 'Content-Length: 100000000'
expect 405 '' -m OPTIONS /api/summary
expect 403 'loopback' /api/summary 'Host: attacker.example'
expect 403 'loopback' / 'Host: 127.0.0.1.attacker.example:80'
expect 200 '"backend":' /api/summary "Host: localhost:$PORT"
expect 200 '"backend":' /api/summary "Host: [::1]:$PORT"

# Oversized requests: libmicrohttpd's per-connection memory bounds them.
expect 414 '' -long 100000
expect 431 '' -header 100000
printf 'HELLO WORLD\r\n\r\n' >"$WORK/garbage"
expect 400 '' -raw "$WORK/garbage"
printf 'GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n' >"$WORK/version"
expect 505 '' -raw "$WORK/version"
head -c 20000 /dev/urandom >"$WORK/noise"
expect '400|413|414|431|505|000' '' -raw "$WORK/noise"

# Many requests at once: every answer is whole.
i=0
while [ $i -lt 8 ]; do
  (
    j=0
    while [ $j -lt 25 ]; do
      "$PROBE" "$PORT" '/api/events?dyad=IND,PAK&limit=5' | head -n 1
      "$PROBE" "$PORT" '/api/timeline?actor=PAK&by=day' | head -n 1
      j=$((j + 1))
    done
  ) >"$WORK/burst.$i" &
  bursts="${bursts:-} $!"
  i=$((i + 1))
done
# shellcheck disable=SC2086
wait $bursts   # not a bare wait: the server is a child too
burst=$(cat "$WORK"/burst.* | sort | uniq -c | tr -s ' ')
if [ "$burst" = " 400 200" ]; then
  passes=$((passes + 1))
else
  fails=$((fails + 1))
  echo "FAIL: concurrent requests: $burst"
fi

# The server lived through all of it.
if kill -0 "$SERVE_PID" 2>/dev/null; then
  expect 200 '"backend":' /api/summary
else
  fails=$((fails + 1))
  echo "FAIL: dyad serve died:"
  cat "$WORK/serve.log"
fi

# On PostgreSQL: the same answers as SQLite, byte for byte.
if [ "$BACKEND" = postgresql ]; then
  PG_PID=$SERVE_PID
  PG_PORT=$PORT
  SERVE_PID=""
  WORK_PG=$WORK
  WORK="$WORK/sqlite"
  mkdir -p "$WORK"
  serve_start "$SQLITE_DB" --threads 2 || exit 1
  # The event reported most often (ids come from the coder: ask, do not assume).
  top=$("$PROBE" "$SERVE_PORT" '/api/events?dyad=IND,PAK&min_sources=2&limit=1' |
        sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | head -n 1)
  for q in '/api/events?limit=1000' '/api/events?dyad=IND,PAK&limit=3&offset=2' \
           '/api/timeline?dyad=IND,PAK&by=week' '/api/timeline?by=day' '/api/network' \
           '/api/actors' "/api/event?id=$top" '/api/events?limit=1001'; do
    "$PROBE" "$PG_PORT" "$q" >"$WORK/pg.out"
    "$PROBE" "$SERVE_PORT" "$q" >"$WORK/sqlite.out"
    if cmp -s "$WORK/pg.out" "$WORK/sqlite.out"; then
      passes=$((passes + 1))
    else
      fails=$((fails + 1))
      echo "FAIL: $q differs between PostgreSQL and SQLite:"
      diff "$WORK/pg.out" "$WORK/sqlite.out" | head -n 10
    fi
  done
  grep -q '"backend":"postgresql"' "$WORK_PG/body" && passes=$((passes + 1)) ||
    { fails=$((fails + 1)); echo "FAIL: summary does not name postgresql"; }
  serve_stop || fails=$((fails + 1))
  SERVE_PID=$PG_PID
  WORK=$WORK_PG
fi

# SIGTERM stops it cleanly (status 0).
serve_stop || fails=$((fails + 1))
echo "serve.http.$BACKEND: $passes passed, $fails failed"
[ "$fails" = 0 ]
