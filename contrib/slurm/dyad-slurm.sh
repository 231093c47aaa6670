#!/bin/sh
# dyad-slurm.sh - code story files with dyad as a Slurm job array, then
# merge the shards into one store.
#
# usage: dyad-slurm.sh --work DIR --db TARGET [--dyad PATH] [--lines N]
#                      [--retries R] [--max-running M] [--opts "DYAD OPTIONS"]
#                      [--sbatch "SBATCH OPTIONS"] FILE...
#
#   --work DIR      a folder on the shared file system (shard list, shards)
#   --db TARGET     merge target: SQLite file or postgresql:// URL
#   --dyad PATH     the dyad binary, same path on every node (default: dyad
#                   on PATH)
#   --lines N       cut JSON-lines files into shards of N stories (default
#                   0: one shard per file). The pieces go to DIR/input/.
#   --retries R     resubmit the tasks that failed, R times (default 2)
#   --max-running M at most M tasks at once (sbatch --array=...%M)
#   --opts "..."    passed to dyad ingest (e.g. "--kb /shared/dict")
#   --sbatch "..."  passed to sbatch (partition, time, account...)
#
# Shards are numbered in input order and merged in that order with
# `dyad merge`, so the store is the one a single `dyad ingest FILE...` of
# the same files gives. Running the script again resumes: shards already
# written are not run again, and merging is idempotent.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work="" db="" dyad=dyad lines=0 retries=2 maxrun="" opts="" sbopts=""
while [ $# -gt 0 ]; do
  case $1 in
    --work) work=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --dyad) dyad=$2; shift 2 ;;
    --lines) lines=$2; shift 2 ;;
    --retries) retries=$2; shift 2 ;;
    --max-running) maxrun=%$2; shift 2 ;;
    --opts) opts=$2; shift 2 ;;
    --sbatch) sbopts=$2; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    --) shift; break ;;
    -*) echo "dyad-slurm: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ -n "$work" ] && [ -n "$db" ] && [ $# -gt 0 ] || { sed -n '4,7p' "$0" >&2; exit 2; }
command -v sbatch >/dev/null || { echo "dyad-slurm: sbatch not found" >&2; exit 2; }
dyad=$(command -v "$dyad") || { echo "dyad-slurm: dyad binary not found" >&2; exit 2; }
mkdir -p "$work"
work=$(cd "$work" && pwd)

# 1. The shard list: INDEX<TAB>FILE, in input order.
list=$work/shards.txt
: >"$list.tmp"
i=0
for f in "$@"; do
  f=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
  [ -s "$f" ] || continue
  if [ "$lines" -gt 0 ]; then
    piece=$work/input/$(printf '%06d' "$i")
    mkdir -p "$piece"
    [ -e "$piece/.done" ] || { split -l "$lines" -d -a 6 "$f" "$piece/part." && touch "$piece/.done"; }
    for p in "$piece"/part.*; do
      printf '%d\t%s\n' "$i" "$p" >>"$list.tmp"
      i=$((i + 1))
    done
  else
    printf '%d\t%s\n' "$i" "$f" >>"$list.tmp"
    i=$((i + 1))
  fi
done
n=$i
if [ -e "$list" ] && ! cmp -s "$list" "$list.tmp"; then
  echo "dyad-slurm: $work holds a run over other input; use a new --work folder" >&2
  exit 2
fi
mv -f "$list.tmp" "$list"
[ "$n" -gt 0 ] || { echo "dyad-slurm: no input" >&2; exit 2; }

missing() {
  awk -F '\t' '{ print $1 }' "$list" | while read -r k; do
    [ -e "$work/$(printf 'shard-%06d.db' "$k")" ] || printf '%s\n' "$k"
  done
}

# 2. The job array; then the tasks that failed, again. Array indexes stop
# below the cluster's MaxArraySize, so shards go in groups of that many,
# each group an array with an offset (DYAD_OFFSET); groups run at once.
maxarr=$(scontrol show config 2>/dev/null | awk '$1 == "MaxArraySize" { print $3 }')
maxarr=${maxarr:-1001}
export DYAD="$dyad" DYAD_WORK="$work" DYAD_OPTS="$opts"
round=0
while :; do
  todo=$(missing)
  [ -z "$todo" ] && break
  if [ "$round" -gt "$retries" ]; then
    echo "dyad-slurm: shards $(echo $todo | tr ' ' ,) failed $round times; nothing merged" >&2
    exit 1
  fi
  [ "$round" -gt 0 ] && echo "dyad-slurm: resubmitting shards $(echo $todo | tr ' ' ,)" >&2
  # One array per group: "OFFSET<TAB>a-b,c,..." (consecutive indexes as ranges).
  printf '%s\n' $todo | awk -v m="$maxarr" '
    { g = int($1 / m); k = $1 - g * m
      if (g != cg) { flush(); cg = g; a = b = k; started = 1; next }
      if (started && k == b + 1) { b = k; next }
      if (started) add(); a = b = k; started = 1 }
    function add() { s = s (s == "" ? "" : ",") (a == b ? a : a "-" b) }
    function flush() { if (started) { add(); print cg * m "\t" s }; s = ""; started = 0 }
    BEGIN { cg = -1 }
    END { flush() }' >"$work/arrays.txt"
  while IFS="$(printf '\t')" read -r off arr; do
    # --wait: sbatch returns when every task of the array has ended.
    # shellcheck disable=SC2086
    DYAD_OFFSET=$off sbatch --wait --parsable --job-name=dyad --array="$arr$maxrun" \
      --output="$work/log-%A_%a.txt" --export=ALL $sbopts "$here/dyad-shard.sh" >/dev/null &
  done <"$work/arrays.txt"
  wait || true
  round=$((round + 1))
done

# 3. Merge in shard order.
awk -F '\t' -v w="$work" '{ printf "%s/shard-%06d.db\n", w, $1 }' "$list" >"$work/merge-list.txt"
"$dyad" merge -q --db "$db" --list "$work/merge-list.txt"
echo "dyad-slurm: $n shards merged into $db" >&2
