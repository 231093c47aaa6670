#!/bin/sh
# petrarch.sh DYAD SHARED - the PETRARCH-2 validation suite, from raw text:
# at least 95% of expected events found and extra events at most 5%.
set -u
f="$2/validation/petrarch2/PETR_Validate_records_2_02.visible.xml"
[ -f "$f" ] || { echo "skipped: $f not found"; exit 77; }
out=$("$1" validate --quiet "$f" 2>/dev/null) || exit 1
echo "$out" | tail -15
line=$(echo "$out" | grep '^records:')
found=$(echo "$line" | sed -E 's/.*events: ([0-9]+)\/([0-9]+) found, ([0-9]+) extra.*/\1 \2 \3/')
set -- $found
[ $(( $1 * 100 )) -ge $(( $2 * 95 )) ] || { echo "found $1 of $2: below 95%"; exit 1; }
[ $(( $3 * 100 )) -le $(( $2 * 5 )) ] || { echo "$3 extra of $2: above 5%"; exit 1; }
