#!/bin/sh
# store.sh DYAD BACKEND KBDIR - the store's guarantees, on SQLite or on a
# PostgreSQL server this script starts and stops itself:
#   * ingesting the same file twice leaves the store identical;
#   * runs killed with SIGKILL and then run again leave the store identical
#     to one clean run;
#   * so do other numbers of coding threads, grouping left to a later run,
#     and a story id repeated with another text in one input;
#   * two stories about one meeting give one event with two mentions, and
#     differing places in one country give a conflict flag;
#   * thousands of events give the same dump as in a SQLite file;
#   * queries give the series by month.
set -u
dyad=$1
backend=$2
kb=$3
work=$(mktemp -d)
pgpid=""
cleanup() {
  if [ -n "$pgpid" ]; then
    $PGRUN "$PGBIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

if [ "$backend" = postgresql ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "skipped: PostgreSQL server binaries not installed (apt-get install postgresql)"
    exit 77
  fi
  # PostgreSQL refuses to run as root: use its own system user.
  PGRUN=""
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "skipped: no postgres user"; exit 77; }
    chown postgres "$work"
    PGRUN="runuser -u postgres --"
  fi
  $PGRUN "$PGBIN/initdb" -D "$work/pg" -A trust -U dyad >/dev/null 2>&1 || fail "initdb"
  $PGRUN "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-k $work -c listen_addresses='' -c fsync=off" start >/dev/null || { cat "$work/pg.log"; fail "pg_ctl start"; }
  pgpid=1
  newdb() { $PGRUN "$PGBIN/createdb" -h "$work" -U dyad "$1" || fail createdb;
            echo "postgresql:///$1?host=$work&user=dyad"; }
else
  newdb() { echo "$work/$1.db"; }
fi

# A corpus of 3000 stories with varied names, numbers and dates.
awk 'BEGIN {
  split("Northland Southmark Eastria", A, " ");
  for (i = 0; i < 3000; i++) {
    a = A[i % 3 + 1]; b = A[(i + 1) % 3 + 1];
    d = sprintf("2012-%02d-%02d", i % 12 + 1, i % 28 + 1);
    printf "{\"id\":\"s%05d\",\"date\":\"%s\",\"source\":\"pub%d\",\"text\":\"%s paid %d dollars to %s. %s met %s on Friday.\"}\n", i, d, i % 7, a, i, b, b, a;
  }
}' >"$work/corpus.jsonl"

now() { date +%s.%N; }

# 1. Idempotent ingest.
db1=$(newdb t1)
t0=$(now)
"$dyad" ingest -q --kb "$kb" --batch 50 --db "$db1" "$work/corpus.jsonl" || fail "ingest"
t1=$(now)
"$dyad" dump --db "$db1" >"$work/once" || fail dump
"$dyad" ingest -q --kb "$kb" --db "$db1" "$work/corpus.jsonl" || fail "ingest again"
"$dyad" dump --db "$db1" >"$work/twice"
cmp -s "$work/once" "$work/twice" || { diff "$work/once" "$work/twice" | head; fail "second ingest changed the store"; }
grep -q '^s02999' "$work/once" || fail "stories missing"

# 2. Killed mid-ingest, then run again: each run is killed at a fraction
# of the time a clean run took (while storing, grouping or building
# indexes), and the rerun must give the store of one clean run.
i=0
for f in 0.15 0.4 0.65 0.85 0.95; do
  i=$((i + 1))
  db2=$(newdb "k$i")
  "$dyad" ingest -q --kb "$kb" --batch 50 --db "$db2" "$work/corpus.jsonl" &
  pid=$!
  sleep "$(awk -v a="$t0" -v b="$t1" -v f="$f" 'BEGIN { printf "%.3f", (b - a) * f }')"
  kill -9 $pid 2>/dev/null || echo "note: the run was over before ${f} of its time"
  wait $pid 2>/dev/null
  "$dyad" ingest -q --kb "$kb" --batch 50 --db "$db2" "$work/corpus.jsonl" || fail "rerun"
  "$dyad" dump --db "$db2" >"$work/killed"
  cmp -s "$work/once" "$work/killed" ||
    { diff "$work/once" "$work/killed" | head; fail "killed at ${f} + rerun differs from one clean run"; }
done

# 2b. The same store whatever the number of coding threads, and when
# grouping is left to a later run (ingest of an empty input).
for opt in "-j 0" "-j 3" "--no-dedup"; do
  dbj=$(newdb "tj$(echo "$opt" | tr -dc 'a-z0-9')")
  "$dyad" ingest -q --kb "$kb" $opt --db "$dbj" "$work/corpus.jsonl" || fail "ingest $opt"
  if [ "$opt" = "--no-dedup" ]; then
    "$dyad" dump --db "$dbj" | grep -q '^== dirty' || fail dump
    [ "$("$dyad" dump --db "$dbj" | sed -n '/^== events/,/^== dirty/p' | wc -l)" = 2 ] ||
      fail "--no-dedup grouped"
    "$dyad" ingest -q --kb "$kb" --db "$dbj" /dev/null || fail "grouping run"
  fi
  "$dyad" dump --db "$dbj" >"$work/j"
  cmp -s "$work/once" "$work/j" || { diff "$work/once" "$work/j" | head; fail "ingest $opt differs"; }
done

# 2c. One story id twice in one input with different texts (the second
# coded while the first is still on its way to the store): the same store
# as ingesting the two versions one after the other.
head -400 "$work/corpus.jsonl" >"$work/dup.jsonl"
sed -n '1,200p' "$work/corpus.jsonl" | sed 's/dollars/euros/' >>"$work/dup.jsonl"
dbd=$(newdb td)
"$dyad" ingest -q --kb "$kb" --db "$dbd" "$work/dup.jsonl" || fail "ingest dup"
"$dyad" dump --db "$dbd" >"$work/dup1"
dbe=$(newdb te)
head -400 "$work/corpus.jsonl" >"$work/dupa.jsonl"
sed -n '1,200p' "$work/corpus.jsonl" | sed 's/dollars/euros/' >"$work/dupb.jsonl"
"$dyad" ingest -q --kb "$kb" --db "$dbe" "$work/dupa.jsonl" && "$dyad" ingest -q --kb "$kb" --db "$dbe" "$work/dupb.jsonl" || fail "ingest dup"
"$dyad" dump --db "$dbe" >"$work/dup2"
cmp -s "$work/dup1" "$work/dup2" || { diff "$work/dup1" "$work/dup2" | head; fail "repeated id in one input"; }

# 3. A changed text replaces its story's events.
db3=$(newdb t3)
printf '{"id":"x1","date":"2012-05-02","source":"A","text":"Northland paid gold coins to Southmark."}\n' >"$work/v1.jsonl"
printf '{"id":"x1","date":"2012-05-02","source":"A","text":"Eastria paid gold coins to Northland."}\n' >"$work/v2.jsonl"
"$dyad" ingest -q --kb "$kb" --db "$db3" "$work/v1.jsonl" && "$dyad" ingest -q --kb "$kb" --db "$db3" "$work/v2.jsonl" || fail ingest
"$dyad" dump --db "$db3" >"$work/replaced"
grep -q 'EST	NTH	071' "$work/replaced" || fail "new events missing"
grep -q 'NTH	STH	071' "$work/replaced" && fail "old events kept"

# 4. Two reports of one meeting: one event, two mentions; places disagree.
db4=$(newdb t4)
cat >"$work/meet.jsonl" <<'J'
{"id":"m1","date":"2012-05-04","source":"Agency One","text":"Northland met Southmark in Paris on Wednesday."}
{"id":"m2","date":"2012-05-03","source":"Agency Two","text":"Northland met Southmark in Lyon on Wednesday."}
{"id":"m3","date":"2012-08-20","source":"Agency One","text":"Northland met Southmark in Paris."}
J
"$dyad" ingest -q --kb "$kb" --db "$db4" "$work/meet.jsonl" || fail ingest
"$dyad" export --db "$db4" --format jsonl --source NTH --target STH >"$work/ev"
[ "$(wc -l <"$work/ev")" = 2 ] || { cat "$work/ev"; fail "expected 2 NTH>STH events"; }
grep -q '"mentions":2,"stories":2,"sources":2,"conflict":true' "$work/ev" || { cat "$work/ev"; fail "grouped event with conflict"; }
grep -q '"mentions":1,"stories":1,"sources":1,"conflict":false' "$work/ev" || fail "separate event"

# 4b. Thousands of events (several chunks from the grouping reader to the
# writer): the same dump in this backend as in a SQLite file.
awk 'BEGIN {
  split("Northland Southmark Eastria", A, " ");
  for (i = 0; i < 2000; i++) {
    a = A[i % 3 + 1]; b = A[(i + 1) % 3 + 1];
    d = sprintf("%04d-%02d-%02d", 2001 + int(i / 336), int(i / 28) % 12 + 1, i % 28 + 1);
    printf "{\"id\":\"m%05d\",\"date\":\"%s\",\"source\":\"pub%d\",\"text\":\"%s paid %d dollars to %s. %s met %s in Paris.\"}\n", i, d, i % 5, a, i, b, b, a;
  }
}' >"$work/many.jsonl"
dbm=$(newdb tm)
"$dyad" ingest -q --kb "$kb" --db "$dbm" "$work/many.jsonl" || fail "ingest many"
"$dyad" dump --db "$dbm" >"$work/many1"
"$dyad" ingest -q --kb "$kb" -j 0 --db "$work/many.db" "$work/many.jsonl" || fail "ingest many"
"$dyad" dump --db "$work/many.db" >"$work/many2"
[ "$(sed -n '/^== events/,/^== dirty/p' "$work/many1" | wc -l)" -gt 4100 ] || fail "too few events"
cmp -s "$work/many1" "$work/many2" || { diff "$work/many1" "$work/many2" | head; fail "many events: $backend differs from SQLite"; }

# 5. The series by month.
"$dyad" query --db "$db1" --dyad NTH,STH --by month --format csv >"$work/q" || fail query
# NTH and STH meet in stories 0, 3, 6, ...: January, April, July and October
# (and the month before, for a Friday early in the month).
grep -q '^2012-01,13,57.8,' "$work/q" || { cat "$work/q"; fail "month series"; }
[ "$(wc -l <"$work/q")" = 9 ] || { cat "$work/q"; fail "8 months expected"; }
"$dyad" query --db "$db1" --partners NTH --format csv | grep -q '^STH,' || fail "partners"
"$dyad" query --db "$db1" --by nonsense >/dev/null 2>&1 && fail "bad --by accepted"
"$dyad" query --db "$db1" --from notadate >/dev/null 2>&1 && fail "bad date accepted"
echo "ok: $backend"
