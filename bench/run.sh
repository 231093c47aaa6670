#!/bin/sh
# run.sh [BUILD] - the benchmark of the README, one command: `make bench`.
#
# Corpora (generated reproducibly by bench/gen.py into $BENCH_DIR):
#   gigaword  the real newswire sentences of the PETRARCH GigaWord sample,
#             repeated to 200,000 sentences
#   varied    200,000 sentences of stories made from our own sample stories
#             with country names, numbers, weekdays and dates varied
# For each: `dyad bench` on 1 and 2 threads (sentences/s, MB/s, events/s,
# peak memory), `LC_ALL=C wc -w` on the same file and the ratio of the two
# times; start-up time; memory at 10x the input (streaming: the same);
# the public PETRARCH-2 dictionaries instead of the built-in base; and the
# ingest rate into SQLite (with coding, the store alone, without
# grouping, and into a store that holds the corpus already).
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DYAD=$ROOT/$BUILD/dyad
SHARED=${DYAD_SHARED:-$ROOT/../shared}
DIR=${BENCH_DIR:-$ROOT/$BUILD/bench}
N=${BENCH_SENTENCES:-200000}
mkdir -p "$DIR"
[ -x "$DYAD" ] || { echo "bench: build first ($DYAD missing)" >&2; exit 2; }
PY=/usr/bin/python3
[ -x $PY ] || PY=python3

gw_xml=$SHARED/validation/petrarch2/GigaWord.sample.PETR.xml
if [ -f "$gw_xml" ]; then
  [ -s "$DIR/gigaword.jsonl" ] || $PY "$ROOT/bench/gen.py" gigaword "$gw_xml" "$N" "$DIR/gigaword.jsonl"
fi
[ -s "$DIR/varied.jsonl" ] || $PY "$ROOT/bench/gen.py" varied "$ROOT" "$N" "$DIR/varied.jsonl"

secs() { # command... -> wall seconds of the command, best of 3
  best=""
  for _ in 1 2 3; do
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}
figure() { # stats output -> "sentences/s MB/s events/s peakMB"
  sed -nE 's/^stats: ([0-9]+) sentences\/s, ([0-9.]+) MB\/s, ([0-9]+) events\/s; peak memory ([0-9.]+) MB/\1 \2 \3 \4/p'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "dyad: $("$DYAD" version)"
echo
printf '%-10s %-8s %12s %8s %10s %8s %8s %8s %7s\n' corpus threads sentences/s MB/s events/s peakMB "dyad s" "wc -w s" ratio
for corpus in gigaword varied; do
  f=$DIR/$corpus.jsonl
  [ -f "$f" ] || continue
  wc_s=$(LC_ALL=C secs wc -w "$f")
  for j in 1 2; do
    out=$("$DYAD" bench -j $j "$f" 2>&1 | figure)
    t=$(secs "$DYAD" code -q -j $j "$f")
    set -- $out
    printf '%-10s %-8s %12s %8s %10s %8s %8.2f %8.3f %7.1f\n' "$corpus" "$j" "$1" "$2" "$3" "$4" \
      "$t" "$wc_s" "$(echo "$t / $wc_s" | bc -l)"
  done
done
echo
# Start-up: load the built-in knowledge base, code nothing.
echo "start-up (empty input, best of 3): $(secs sh -c "\"$DYAD\" code -q < /dev/null") s"
# Streaming: ten times the input, the same peak memory.
f=$DIR/varied.jsonl
if [ ! -s "$DIR/varied10.jsonl" ]; then
  for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$f"; done > "$DIR/varied10.jsonl"
fi
m1=$("$DYAD" bench "$f" 2>&1 | figure | cut -d' ' -f4)
m10=$("$DYAD" bench "$DIR/varied10.jsonl" 2>&1 | figure | cut -d' ' -f4)
echo "peak memory: ${m1} MB on $(du -m "$f" | cut -f1) MB of input, ${m10} MB on $(du -m "$DIR/varied10.jsonl" | cut -f1) MB"
# The public PETRARCH-2 dictionaries instead of the built-in base.
if [ -d "$SHARED/dictionaries/petrarch2" ] && [ -f "$DIR/gigaword.jsonl" ]; then
  out=$("$DYAD" bench --kb "$SHARED/dictionaries/petrarch2" "$DIR/gigaword.jsonl" 2>&1)
  echo "PETRARCH-2 dictionaries, gigaword, 1 thread: $(echo "$out" | grep -o 'loaded in [0-9.]* ms'); $(echo "$out" | figure | awk '{print $1" sentences/s, peak "$4" MB"}')"
fi
# Ingest into SQLite: the varied corpus into a new store, best of 3 (by wall
# time), with --stats: the wall time with coding included (one coding
# thread beside the one writing), the writing thread's time in the store
# (storing stories and mentions, then grouping them into events and
# building indexes), and the coding threads' CPU time. Then the same with
# --no-dedup (stories and mentions only, grouping left to a later run).
# A --stats line: "stats: M mentions of S stories in W s: R mentions/s;
# coding C s CPU on N thread(s); store T s (stories and mentions P s,
# grouping G s): Q mentions/s".
# With $base set, each run starts from a copy of that store and ingests
# $f2 into it.
ingest_stats() { # options... -> the fields of the best of 3 runs' --stats line
  best=""
  for _ in 1 2 3; do
    db=$DIR/bench.db
    rm -f "$db" "$db-wal" "$db-shm"
    input=$f
    if [ -n "${base:-}" ]; then cp "$base" "$db"; input=$f2; fi
    line=$("$DYAD" ingest -q --stats "$@" --db "$db" "$input" 2>&1 | sed -nE \
      's/^stats: ([0-9]+) mentions of ([0-9]+) stories in ([0-9.]+) s: ([0-9]+) mentions\/s; coding ([0-9.]+) s CPU on [0-9]+ threads?; store ([0-9.]+) s \(stories and mentions ([0-9.]+) s, grouping ([0-9.]+) s\): ([0-9]+) mentions\/s$/\1 \2 \3 \4 \5 \6 \7 \8 \9/p')
    [ -n "$line" ] || { echo "bench: no --stats line from dyad ingest" >&2; exit 1; }
    if [ -z "$best" ] || [ "$(echo "$line $best" | awk '{ print ($3 < $12) }')" = 1 ]; then best=$line; fi
  done
  echo "$best"
}
set -- $(ingest_stats)
events=$(sqlite3 "$DIR/bench.db" 'select count(*) from events' 2>/dev/null || echo "?")
echo "ingest into SQLite (coding included): $1 mentions of $2 stories ($events events after grouping) in $3 s = $4 mentions/s"
echo "  the writing thread's time in the store: $6 s = $9 mentions/s (stories and mentions $7 s, grouping and indexes $8 s); coding: $5 s of CPU on another thread"
full=$DIR/bench-full.db
rm -f "$full"
cp "$DIR/bench.db" "$full"
set -- $(ingest_stats --no-dedup)
echo "ingest --no-dedup (stories and mentions; grouping left to a later run): $3 s = $4 mentions/s"
# A day's news into a store that holds the year: the first 20,000 stories
# of the corpus again, under new ids, into the store of the whole corpus
# (their dyads are nearly all there, so most of the store is regrouped).
f2=$DIR/varied-more.jsonl
head -n 20000 "$f" | sed 's/"id": *"/"id":"more-/' >"$f2"
set -- $(base=$full ingest_stats)
echo "ingest into a store of the whole corpus: $1 mentions of $2 stories in $3 s = $4 mentions/s (grouping $8 s)"
rm -f "$full"
