#!/bin/sh
# dyad-shard.sh - one task of the Slurm job array written by dyad-slurm.sh.
#
#   #SBATCH options come from dyad-slurm.sh (sbatch --array=... dyad-shard.sh)
#
# Task I (the array index plus $DYAD_OFFSET) reads its line of
# $DYAD_WORK/shards.txt ("INDEX<TAB>INPUT FILE"),
# runs `dyad ingest` on that file into a temporary store of its own and
# renames it to $DYAD_WORK/shard-INDEX.db only when dyad succeeded. So a
# task that is run again (requeued, or resubmitted after a failure) writes
# a new temporary file and replaces its own output only; a task whose
# output is already there does nothing.
#
# Environment (exported by dyad-slurm.sh): DYAD (the binary), DYAD_WORK,
# DYAD_OPTS (extra dyad options, e.g. "--kb /path"), DYAD_OFFSET; and
# SLURM_ARRAY_TASK_ID from Slurm.
set -eu
: "${DYAD:?}" "${DYAD_WORK:?}" "${SLURM_ARRAY_TASK_ID:?}"
task=$((SLURM_ARRAY_TASK_ID + ${DYAD_OFFSET:-0}))
line=$(awk -F '\t' -v i="$task" '$1 == i { print; exit }' "$DYAD_WORK/shards.txt")
[ -n "$line" ] || { echo "dyad-shard: no shard $task" >&2; exit 2; }
index=$(printf '%s' "$line" | cut -f1)
input=$(printf '%s' "$line" | cut -f2-)
out=$DYAD_WORK/$(printf 'shard-%06d.db' "$index")
[ -e "$out" ] && exit 0
tmp=$out.tmp-$(hostname)-$$
trap 'rm -f "$tmp" "$tmp-wal" "$tmp-shm" "$tmp-journal"' EXIT
# shellcheck disable=SC2086
"$DYAD" ingest -q --db "$tmp" ${DYAD_OPTS:-} "$input"
[ ! -e "$tmp-wal" ] || { echo "dyad-shard: $tmp was not closed cleanly" >&2; exit 3; }
mv -f "$tmp" "$out"      # a rename on the same file system: atomic
