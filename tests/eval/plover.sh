#!/bin/sh
# plover.sh DYAD SHARED MIN_FOUND MIN_PRECISION - the PLOVER gold records with
# the built-in knowledge base: per record, an event of the gold category from
# a gold source country; precision of the categories emitted. A regression
# guard: the current figures are in the README.
set -u
f="$2/validation/plover/PLOVER_GSR_CAMEO.visible.json"
[ -f "$f" ] || { echo "skipped: $f not found"; exit 77; }
out=$("$1" validate --quiet "$f" 2>&1) || { echo "$out"; exit 1; }
echo "$out" | tail -3
set -- $(echo "$out" | sed -nE 's/^plover records: ([0-9]+)\/([0-9]+) found; categories: ([0-9]+)\/([0-9]+) emitted correct/\1 \2 \3 \4/p') "$3" "$4"
[ $# -eq 6 ] || { echo "no summary line"; exit 1; }
[ $(( $1 * 100 )) -ge $(( $2 * $5 )) ] || { echo "found $1 of $2 records: below $5%"; exit 1; }
[ $(( $3 * 100 )) -ge $(( $4 * $6 )) ] || { echo "precision $3 of $4: below $6%"; exit 1; }
