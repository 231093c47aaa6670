#!/bin/sh
# bad_input.sh DYAD - garbage, invalid UTF-8, a 10 MB line and an empty file
# each give a clear message and no crash.
set -u
dyad=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
check() { # name expected-status grep-pattern-in-stderr
  if [ "$status" != "$2" ]; then echo "$1: exit status $status, expected $2"; fail=1; fi
  if ! grep -q "$3" "$dir/err"; then echo "$1: stderr lacks '$3':"; cat "$dir/err"; fail=1; fi
}

head -c 4096 /dev/urandom >"$dir/garbage"
"$dyad" code "$dir/garbage" >"$dir/out" 2>"$dir/err"; status=$?
check garbage 0 "garbage:1: "

printf '{"id":"a","date":"2024-01-01","text":"ok"}\n{"id":"b","date":"2024-01-01","text":"bad \377 byte"}\n' >"$dir/utf8"
"$dyad" code "$dir/utf8" >"$dir/out" 2>"$dir/err"; status=$?
check invalid_utf8 0 "utf8:2: "
grep -q "1 stories coded" "$dir/err" || { echo "invalid_utf8: the good line was not coded"; fail=1; }

awk 'BEGIN { printf "{\"id\":\"big\",\"date\":\"2024-01-01\",\"text\":\""; for (i = 0; i < 700000; i++) printf "Turkey met Iran. "; print "\"}" }' >"$dir/big"
"$dyad" code "$dir/big" >"$dir/out" 2>"$dir/err"; status=$?
check big_line 0 "1 stories coded"

: >"$dir/empty"
"$dyad" code "$dir/empty" >"$dir/out" 2>"$dir/err"; status=$?
check empty 0 "0 stories coded"

"$dyad" code "$dir/missing" >"$dir/out" 2>"$dir/err"; status=$?
check missing 3 "cannot open"

printf '{"id":"x","text":"no date"}\n[1,2]\n{"id":"y","date":"2024-02-30","text":"x"}\n' >"$dir/fields"
"$dyad" code "$dir/fields" >"$dir/out" 2>"$dir/err"; status=$?
check fields 0 'missing "date"'
grep -q 'fields:2: expected a JSON object' "$dir/err" || { echo "fields: line 2 not reported"; fail=1; }
grep -q 'fields:3: .*not YYYY-MM-DD' "$dir/err" || { echo "fields: line 3 not reported"; fail=1; }

# An unknown input format is refused by both commands that read stories,
# before anything is read or stored.
"$dyad" code --input xml "$dir/fields" >"$dir/out" 2>"$dir/err"; status=$?
check input_code 2 "unknown input format 'xml'"
"$dyad" ingest --input xml --db "$dir/in.db" "$dir/fields" >"$dir/out" 2>"$dir/err"; status=$?
check input_ingest 2 "unknown input format 'xml'"
[ -e "$dir/in.db" ] && { echo "ingest --input xml: a store was made"; fail=1; }

exit $fail
