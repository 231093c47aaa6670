#!/bin/sh
# stories.sh DYAD FILE MIN_FOUND MAX_EXTRA - our own test stories with the
# events a careful coder expects: at least MIN_FOUND% of them found, extra
# events at most MAX_EXTRA% of expected. The figures go in the README.
set -u
out=$("$1" validate "$2" 2>&1) || { echo "$out"; exit 1; }
echo "$out" | tail -2
line=$(echo "$out" | grep '^stories:')
set -- $(echo "$line" | sed -E 's/.*events: ([0-9]+)\/([0-9]+) found, ([0-9]+) extra.*/\1 \2 \3/') "$3" "$4"
[ $(( $1 * 100 )) -ge $(( $2 * $4 )) ] || { echo "$out"; echo "found $1 of $2: below $4%"; exit 1; }
[ $(( $3 * 100 )) -le $(( $2 * $5 )) ] || { echo "$out"; echo "$3 extra of $2: above $5%"; exit 1; }
