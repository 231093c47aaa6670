#!/bin/sh
# run.sh DYAD CASE.jsonl - code CASE.jsonl (with the dictionaries in
# CASE.kb/ when that folder exists) and compare with CASE.expected.
# UPDATE=1 rewrites the expectation (review the diff!).
set -u
dyad=$1
case=$2
base=${case%.jsonl}
kb=""
if [ -d "$base.kb" ]; then kb="--kb $base.kb"; fi
# NAME.kb may be shared: NAME-anything uses NAME.kb when it has none.
if [ -z "$kb" ] && [ -d "${base%%-*}.kb" ]; then kb="--kb ${base%%-*}.kb"; fi
formats="brief"
if [ -f "$base.formats" ]; then formats=$(cat "$base.formats"); fi
out=$(mktemp)
for f in $formats; do
  echo "== $f" >>"$out"
  # shellcheck disable=SC2086
  "$dyad" code --quiet --format "$f" $kb "$case" >>"$out" 2>&1
done
if [ "${UPDATE:-0}" = 1 ]; then
  cp "$out" "$base.expected"
fi
if ! diff -u "$base.expected" "$out"; then
  echo "golden mismatch: $case"
  rm -f "$out"
  exit 1
fi
rm -f "$out"
