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
out=$(mktemp)
# shellcheck disable=SC2086
"$dyad" code --quiet --format brief $kb "$case" >"$out" 2>&1
if [ "${UPDATE:-0}" = 1 ]; then
  cp "$out" "$base.expected"
fi
if ! diff -u "$base.expected" "$out"; then
  echo "golden mismatch: $case"
  rm -f "$out"
  exit 1
fi
rm -f "$out"
