#!/bin/sh
# bench.sh DYAD [SHORT_STORIES] [LONG_STORIES] - throughput of sharded runs,
# for docs/scale.md. Not a test: it prints figures.
#
# Two generated corpora: "short" stories (one or two sentences each, the
# sample stories varied) and "long" ones (20 of those texts joined: about
# 30 sentences, 2.5 kB, the length of a news article). For each, it times
#   * one `dyad code` and one `dyad ingest` (a single process);
#   * the Dask driver on a local cluster of 1 worker, then of 2 workers:
#     the shard phase and the merge (SQLite target), and `dyad code` to
#     files (--mode code);
#   * the merge into PostgreSQL (when installed), with and without grouping;
# and the cost of starting one shard (a shard of one story, through Dask).
set -u
dyad=$1
nshort=${2:-200000}
nlong=${3:-20000}
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
driver=$here/../../contrib/dask/dyad_dask.py
$PY -c 'import distributed' 2>/dev/null || skip "python3-distributed is not installed"
scale_init

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? a / b : 0) }'; }

"$here/gencorpus.sh" "$nshort" >"$work/short.jsonl"
# Long stories: texts of 20 consecutive generated stories joined.
"$here/gencorpus.sh" $((nlong * 20)) | awk '
  { match($0, /"text": "/); head = substr($0, 1, RSTART + RLENGTH - 1); t = substr($0, RSTART + RLENGTH)
    sub(/"}$/, "", t)
    if (NR % 20 == 1) { h = head; body = t } else body = body " " t
    if (NR % 20 == 0) print h body "\"}" }' >"$work/long.jsonl"

echo "| corpus | stories | events | MB | run | seconds | stories/s | events/s |"
echo "|---|---|---|---|---|---|---|---|"
for c in short long; do
  in=$work/$c.jsonl
  n=$(wc -l <"$in")
  mb=$(du -m "$in" | cut -f1)
  t0=$(now)
  ev=$("$dyad" code -q "$in" | wc -l)
  t1=$(now)
  s=$(secs "$t0" "$t1")
  echo "| $c | $n | $ev | $mb | dyad code, 1 process | $s | $(rate "$n" "$s") | $(rate "$ev" "$s") |"
  t0=$(now)
  "$dyad" ingest -q --db "$work/$c-single.db" "$in" || fail ingest
  t1=$(now)
  s=$(secs "$t0" "$t1")
  echo "| $c | $n | $ev | $mb | dyad ingest, 1 process | $s | $(rate "$n" "$s") | $(rate "$ev" "$s") |"
  "$dyad" dump --db "$work/$c-single.db" >"$work/$c-single.dump"
  "$dyad" code -q "$in" >"$work/$c-code.jsonl"
  # About 16 shards.
  sb=$(( $(wc -c <"$in") / 16 + 1 ))
  for w in 1 2; do
    dask_start $w
    rm -rf "$work/shards-$c-$w"
    t0=$(now)
    $PY "$driver" --quiet --scheduler-file "$scheduler_file" --dyad "$dyad" \
      --work "$work/shards-$c-$w" --db "$work/$c-dask$w.db" --shard-bytes $sb \
      --report "$work/rep-$c-$w.json" "$in" || fail "driver"
    t1=$(now)
    t2=$(now)
    $PY "$driver" --quiet --scheduler-file "$scheduler_file" --dyad "$dyad" --mode code \
      --work "$work/code-$c-$w" --out "$work/$c-code$w.jsonl" --shard-bytes $sb "$in" || fail "driver code"
    t3=$(now)
    dask_stop
    "$dyad" dump --db "$work/$c-dask$w.db" | cmp -s - "$work/$c-single.dump" || fail "dask $w differs"
    cmp -s "$work/$c-code$w.jsonl" "$work/$c-code.jsonl" || fail "dask code $w differs"
    s=$(secs "$t2" "$t3")
    echo "| $c | $n | $ev | $mb | Dask, $w worker(s): dyad code to files | $s | $(rate "$n" "$s") | $(rate "$ev" "$s") |"
    read -r shards sh mg <<EOF
$($PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["shards"], "%.2f" % r["shard_seconds"], "%.2f" % r["merge_seconds"])' "$work/rep-$c-$w.json")
EOF
    s=$(secs "$t0" "$t1")
    echo "| $c | $n | $ev | $mb | Dask, $w worker(s), $shards shards: shards | $sh | $(rate "$n" "$sh") | $(rate "$ev" "$sh") |"
    echo "| $c | $n | $ev | $mb | Dask, $w worker(s): merge into SQLite | $mg | $(rate "$n" "$mg") | $(rate "$ev" "$mg") |"
    echo "| $c | $n | $ev | $mb | Dask, $w worker(s): total | $s | $(rate "$n" "$s") | $(rate "$ev" "$s") |"
  done
  rm -f "$work/$c-nodedup.db"
  t0=$(now)
  "$dyad" merge -q --no-dedup --db "$work/$c-nodedup.db" "$work/shards-$c-2"/shard-*.db || fail merge
  t1=$(now)
  s=$(secs "$t0" "$t1")
  echo "| $c | $n | $ev | $mb | merge into SQLite, without grouping | $s | $(rate "$n" "$s") | $(rate "$ev" "$s") |"
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$pgdir" ] && [ -n "$pgbin" ] && id postgres >/dev/null 2>&1; then
    pg_start
  fi
  if [ -n "$pgdir" ]; then
    for mode in --no-dedup ""; do
      pg=$(newdb "$c${mode#--no-}x")
      t0=$(now)
      "$dyad" merge -q $mode --db "$pg" "$work/shards-$c-2"/shard-*.db || fail "merge pg"
      t1=$(now)
      s=$(secs "$t0" "$t1")
      what="merge into PostgreSQL${mode:+, without grouping}"
      echo "| $c | $n | $ev | $mb | $what | $s | $(rate "$n" "$s") | $(rate "$ev" "$s") |"
    done
  fi
done

# The cost of one shard: 40 shards of one story, 1 worker.
head -40 "$work/short.jsonl" >"$work/tiny.jsonl"
dask_start 1
t0=$(now)
$PY "$driver" --quiet --scheduler-file "$scheduler_file" --dyad "$dyad" --work "$work/tiny" \
  --no-merge --shard-bytes 1 --report "$work/rep-tiny.json" "$work/tiny.jsonl" || fail "tiny"
t1=$(now)
dask_stop
per=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 40 }')
one=$($PY -c 'import json,sys; r=json.load(open(sys.argv[1])); s=[x["seconds"] for x in r["per_shard"]]; print("%.3f" % (sum(s)/len(s)))' "$work/rep-tiny.json")
echo
echo "one-story shard through Dask: $per s each (of which dyad ingest on the worker: $one s)"
