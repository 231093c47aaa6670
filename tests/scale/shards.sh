#!/bin/sh
# shards.sh DYAD BACKEND - sharded runs give the result of one run.
#
#   * `dyad code` on shards, outputs concatenated in shard order, equals one
#     run on the whole input, byte for byte, for 1, 4 and 7 shards; and
#     coding is independent of story order;
#   * `dyad ingest` of each shard into its own SQLite file, then `dyad
#     merge` into a BACKEND (sqlite or postgresql) target, dumps the same
#     as one `dyad ingest` of the whole input, for 1, 4 and 7 shards, with
#     stories of early shards changed by later shards;
#   * merging again, or merging a shard that was rerun, changes nothing; a
#     shard ingest killed with SIGKILL and rerun gives the same shard; a
#     merge killed with SIGKILL and rerun gives the same store;
#   * stories already in the target stay; merge order decides which
#     version of a story wins, as input order does for one ingest;
#   * bad sources fail with a clear message.
set -u
dyad=$1
backend=$2
. "$(dirname "$0")/lib.sh"
scale_init
[ "$backend" = postgresql ] && pg_start

corpus 3000 "$work/all.jsonl"
n=$(wc -l <"$work/all.jsonl")

# --- dyad code ---
"$dyad" code -q "$work/all.jsonl" >"$work/all.events" || fail "code"
[ -s "$work/all.events" ] || fail "no events"
for k in 1 4 7; do
  mkdir -p "$work/c$k"
  (cd "$work/c$k" && split -d -n "l/$k" "$work/all.jsonl" part.) || fail split
  for f in "$work/c$k"/part.*; do
    "$dyad" code -q "$f" >"$f.events" || fail "code $f"
  done
  cat "$work/c$k"/part.*.events | cmp -s - "$work/all.events" ||
    fail "code: $k shards concatenated differ from one run"
done
# Distinct stories: event ids are unique across the whole input (and so
# across shards); another order of the stories gives the same events.
head -3000 "$work/all.jsonl" >"$work/distinct.jsonl"
"$dyad" code -q "$work/distinct.jsonl" | sort >"$work/ordered"
dups=$(grep -o '"event_id":"[^"]*"' "$work/ordered" | sort | uniq -d | wc -l)
[ "$dups" = 0 ] || fail "code: $dups event ids repeated"
awk '{ print NR % 97 "\t" NR "\t" $0 }' "$work/distinct.jsonl" | sort -k1,1n -k2,2n | cut -f3- >"$work/shuffled.jsonl"
"$dyad" code -q "$work/shuffled.jsonl" | sort | cmp -s - "$work/ordered" ||
  fail "code: story order changes the events"

# --- dyad ingest: one run ---
whole=$work/whole.db       # one run: SQLite (dumps do not depend on the backend)
"$dyad" ingest -q --db "$whole" "$work/all.jsonl" || fail "ingest whole"
"$dyad" dump --db "$whole" >"$work/whole.dump" || fail dump
grep -q "^demo-002-v00000	" "$work/whole.dump" || fail "stories missing"
echo "one run: $n input lines, $(dumpcount "$work/whole.dump")"

# --- shards: ingest each into its own file, merge ---
for k in 1 4 7; do
  for f in "$work/c$k"/part.??; do
    "$dyad" ingest -q --db "$f.db" "$f" || fail "ingest $f"
  done
  target=$(newdb "merged$k")
  "$dyad" merge -q --db "$target" "$work/c$k"/part.??.db || fail "merge $k shards"
  "$dyad" dump --db "$target" >"$work/m$k.dump"
  cmp -s "$work/m$k.dump" "$work/whole.dump" ||
    { diff "$work/whole.dump" "$work/m$k.dump" | head; fail "$k shards merged differ from one ingest"; }
done
# Shards merged one at a time as they finish (each merge groups events, so
# later shards change a deduplicated store).
target=$(newdb "onebyone")
for f in "$work/c7"/part.??.db; do
  "$dyad" merge -q --db "$target" "$f" || fail "merge $f"
done
"$dyad" dump --db "$target" | cmp -s - "$work/whole.dump" || fail "shards merged one at a time differ"
# A shard of changed stories only, merged into a deduplicated store: the
# groups that lose a mention must be regrouped.
sed -n '3001,$p' "$work/all.jsonl" >"$work/changes.jsonl"
"$dyad" ingest -q --db "$work/changes.db" "$work/changes.jsonl" || fail "ingest changes"
"$dyad" ingest -q --db "$work/base.db" "$work/distinct.jsonl" || fail "ingest base"
target=$(newdb "withchanges")
"$dyad" merge -q --db "$target" "$work/base.db" || fail "merge base"
"$dyad" merge -q --db "$target" "$work/changes.db" || fail "merge changes"
"$dyad" dump --db "$target" | cmp -s - "$work/whole.dump" || fail "a shard of changes merged later differs"
# The changed stories came from the last shard and replaced the first ones.
grep -q 'Bangladesh\|BGD' "$work/whole.dump" || fail "changed stories not in the store"

# A PostgreSQL store as a source (read a page at a time through libpq).
if [ "$backend" = postgresql ]; then
  "$dyad" merge -q --db "$work/frompg.db" "$target" || fail "merge from PostgreSQL"
  "$dyad" dump --db "$work/frompg.db" | cmp -s - "$work/whole.dump" || fail "merge from PostgreSQL differs"
fi

# Merging again, and merging a rerun shard: nothing changes.
t7=$target
"$dyad" merge -q --db "$t7" "$work/c7"/part.??.db || fail "merge again"
"$dyad" dump --db "$t7" | cmp -s - "$work/whole.dump" || fail "second merge changed the store"
rm -f "$work/c7/part.03.db"
"$dyad" ingest -q --db "$work/c7/part.03.db" "$work/c7/part.03" || fail "rerun shard"
"$dyad" merge -q --db "$t7" "$work/c7/part.03.db" 2>"$work/err" || fail "merge rerun shard"
"$dyad" dump --db "$t7" | cmp -s - "$work/whole.dump" || fail "rerun shard changed the store"

# A shard ingest killed mid-run, then run again on its own file.
big=$work/big.jsonl
"$here/gencorpus.sh" 10000 >"$big"
"$dyad" ingest -q --batch 100 --db "$work/clean.db" "$big" || fail "ingest big"
"$dyad" dump --db "$work/clean.db" >"$work/clean.dump"
"$dyad" ingest -q --batch 100 --db "$work/killed.db" "$big" &
pid=$!
sleep 0.5
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
"$dyad" ingest -q --batch 100 --db "$work/killed.db" "$big" || fail "rerun killed shard"
"$dyad" dump --db "$work/killed.db" | cmp -s - "$work/clean.dump" || fail "killed+rerun shard differs"

# A merge killed mid-run, then run again.
for delay in 0.1 0.3; do
  t=$(newdb "killedmerge${delay#0.}")
  "$dyad" merge -q --db "$t" "$work/clean.db" &
  pid=$!
  sleep $delay
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null
  "$dyad" merge -q --db "$t" "$work/clean.db" || fail "rerun killed merge"
  "$dyad" dump --db "$t" | cmp -s - "$work/clean.dump" || fail "killed+rerun merge differs"
done

# Stories already in the target stay.
printf '{"id":"other-1","date":"2012-05-02","source":"A","text":"Northland paid gold coins to Southmark."}\n' >"$work/other.jsonl"
cat "$work/other.jsonl" "$work/all.jsonl" >"$work/other_all.jsonl"
t=$(newdb withother)
"$dyad" ingest -q --db "$t" "$work/other.jsonl" || fail "ingest other"
"$dyad" merge -q --db "$t" "$work/c4"/part.??.db || fail "merge onto other"
w2=$work/whole2.db
"$dyad" ingest -q --db "$w2" "$work/other_all.jsonl" || fail "ingest other+all"
"$dyad" dump --db "$w2" >"$work/w2.dump"
"$dyad" dump --db "$t" | cmp -s - "$work/w2.dump" || fail "merge onto a store with other stories"
grep -q '^other-1	' "$work/w2.dump" || fail "other story missing"

# Merge order is input order: shards merged backwards equal one ingest of
# the shards' inputs backwards (the first versions of changed stories win).
t=$(newdb backwards)
"$dyad" merge -q --db "$t" $(ls "$work/c4"/part.??.db | sort -r) || fail "merge backwards"
for f in $(ls "$work/c4"/part.?? | sort -r); do cat "$f"; done >"$work/backwards.jsonl"
w3=$work/whole3.db
"$dyad" ingest -q --db "$w3" "$work/backwards.jsonl" || fail "ingest backwards"
"$dyad" dump --db "$t" >"$work/back.dump"
"$dyad" dump --db "$w3" | cmp -s - "$work/back.dump" || fail "backwards merge differs from backwards ingest"
cmp -s "$work/back.dump" "$work/whole.dump" && fail "merge order had no effect on changed stories"

# A list of sources from a file.
t=$(newdb listed)
ls "$work/c7"/part.??.db >"$work/list"
"$dyad" merge -q --db "$t" --list "$work/list" || fail "merge --list"
"$dyad" dump --db "$t" | cmp -s - "$work/whole.dump" || fail "merge --list differs"

# Bad sources.
t=$(newdb bad)
"$dyad" merge -q --db "$t" "$work/nonexistent.db" 2>"$work/err" && fail "missing source accepted"
grep -q "cannot read .*nonexistent.db" "$work/err" || { cat "$work/err"; fail "missing source message"; }
[ -e "$work/nonexistent.db" ] && fail "merge created the missing source"
echo "not a database" >"$work/junk.db"
"$dyad" merge -q --db "$t" "$work/junk.db" 2>"$work/err" && fail "junk source accepted"
grep -q "junk.db" "$work/err" || { cat "$work/err"; fail "junk source message"; }
if command -v sqlite3 >/dev/null 2>&1; then
  sqlite3 "$work/other.db" "CREATE TABLE t (x)" || fail sqlite3
  "$dyad" merge -q --db "$t" "$work/other.db" 2>"$work/err" && fail "foreign database accepted"
  grep -q "not a dyad store" "$work/err" || { cat "$work/err"; fail "foreign database message"; }
fi
if [ "$backend" = sqlite ]; then
  "$dyad" merge -q --db "$work/whole.db" "$work/whole.db" 2>"$work/err" && fail "self merge accepted"
  grep -q "target itself" "$work/err" || { cat "$work/err"; fail "self merge message"; }
fi
"$dyad" merge -q --db "$t" 2>/dev/null && fail "merge without sources accepted"
"$dyad" merge --bogus 2>/dev/null && fail "unknown option accepted"
echo "ok: shards ($backend)"
