#!/bin/sh
# gencorpus.sh N [STORIES.jsonl] - write N stories (JSON lines) on stdout,
# made from the sample stories by varying their ids, dates and publishers.
#
# Story k is sample story k mod S (S samples) with id "<id>-v<v>" where
# v = k div S; its date moves by v mod 5 years and (v div 5) mod 9 days,
# and its publisher is one of six. Many variants share a date, so the
# store groups mentions from different stories (and different shards)
# into one event: the corpus exercises deduplication, not only coding.
set -eu
n=${1:?usage: gencorpus.sh N [STORIES.jsonl]}
src=${2:-$(dirname "$0")/../../data/demo/stories.jsonl}
awk -v n="$n" '
  { line[S++] = $0 }
  END {
    split("Reuters AP AFP Xinhua Dawn TASS", pub, " ");
    for (k = 0; k < n; k++) {
      s = line[k % S]; v = int(k / S);
      if (!match(s, /"date": *"[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"/)) continue;
      d = substr(s, RSTART + RLENGTH - 11, 10);
      y = substr(d, 1, 4) - v % 5; m = substr(d, 6, 2); dd = substr(d, 9, 2) + int(v / 5) % 9;
      if (dd > 28) dd -= 27;
      nd = sprintf("%04d-%s-%02d", y, m, dd);
      sub(/"date": *"[0-9-]*"/, "\"date\": \"" nd "\"", s);
      match(s, /"id": *"[^"]*"/);
      id = substr(s, RSTART, RLENGTH); sub(/^"id": *"/, "", id); sub(/"$/, "", id);
      sub(/"id": *"[^"]*"/, sprintf("\"id\": \"%s-v%05d\"", id, v), s);
      sub(/"source": *"[^"]*"/, "\"source\": \"" pub[v % 6 + 1] "\"", s);
      print s;
    }
  }' "$src"
