#!/bin/sh
# demo.sh DYAD - `dyad demo` codes its stories and prints events.
set -u
out=$("$1" demo) || { echo "dyad demo failed"; exit 1; }
echo "$out" | grep -q "stories, [1-9][0-9]* events" || { echo "no events in the demo:"; echo "$out"; exit 1; }
echo "$out" | tail -1
