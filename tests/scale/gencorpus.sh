#!/bin/sh
# gencorpus.sh N [STORIES.jsonl] - write N stories (JSON lines) on stdout,
# made from the sample stories by varying their ids, dates and publishers.
#
# Story k is sample story k mod S (S samples) with id "<id>-v<v>" where
# v = k div S. Its date is year 2010 + v mod 16, month 1 + (v div 16) mod 12,
# day 1 + (v div 192) mod 28, so variants v and v + 192 are a day apart and
# the store groups them into one event (from different stories, and from
# different shards): the corpus exercises deduplication, not only coding.
# Its publisher is one of six.
set -eu
n=${1:?usage: gencorpus.sh N [STORIES.jsonl]}
src=${2:-$(dirname "$0")/../../data/demo/stories.jsonl}
awk -v n="$n" '
  { line[S++] = $0 }
  END {
    split("Reuters AP AFP Xinhua Dawn TASS", pub, " ");
    for (k = 0; k < n; k++) {
      s = line[k % S]; v = int(k / S);
      nd = sprintf("%04d-%02d-%02d", 2010 + v % 16, 1 + int(v / 16) % 12, 1 + int(v / 192) % 28);
      sub(/"date": *"[0-9-]*"/, "\"date\": \"" nd "\"", s);
      if (!match(s, /"id": *"[^"]*"/)) continue;
      id = substr(s, RSTART, RLENGTH); sub(/^"id": *"/, "", id); sub(/"$/, "", id);
      s = substr(s, 1, RSTART - 1) sprintf("\"id\": \"%s-v%05d\"", id, v) substr(s, RSTART + RLENGTH);
      sub(/"source": *"[^"]*"/, "\"source\": \"" pub[v % 6 + 1] "\"", s);
      print s;
    }
  }' "$src"
