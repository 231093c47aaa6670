#!/bin/sh
# kbcheck.sh DYAD SHARED - the linter finds the known errors of the public
# PETRARCH-2 dictionaries, names file and line, and loads everything else.
set -u
d="$2/dictionaries/petrarch2"
[ -d "$d" ] || { echo "skipped: $d not found"; exit 77; }
out=$("$1" kb check --quiet "$d" 2>&1); status=$?
echo "$out" | tail -3
[ "$status" = 1 ] || { echo "expected exit status 1 (errors found), got $status"; exit 1; }
echo "$out" | grep -qE '^[^ ]+\.txt:[0-9]+: error: ' || { echo "no file:line errors"; exit 1; }
echo "$out" | tail -1 | grep -qE 'loaded [0-9]{4,} actors' || { echo "actors not loaded"; exit 1; }
echo "$out" | tail -1 | grep -qE '[0-9]{4,} patterns' || { echo "patterns not loaded"; exit 1; }
