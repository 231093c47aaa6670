#!/bin/sh
# parallel.sh DYAD DOC - the GNU parallel recipes of docs/scale.md, run as
# written there (the code blocks after "<!-- recipe: parallel-... -->").
#
#   parallel-one  one machine, one big file cut into blocks: the block size
#                 is made small here so that the corpus gives several shards;
#   parallel-ssh  several machines over SSH: run here with the local
#                 machine (":") as the only login and the folders of the
#                 test in place of /shared.
#
# Each must give a store that dumps exactly as one `dyad ingest` of the
# same input when one job fails once (the first recipe is run again, as the
# page says; the second retries), and the first also when run once more.
set -u
dyad=$1
doc=$2
. "$(dirname "$0")/lib.sh"
command -v parallel >/dev/null 2>&1 || skip "GNU parallel is not installed (apt-get install parallel)"
[ -r "$doc" ] || fail "no $doc"
scale_init

recipe() {
  awk -v name="$1" '
    $0 == "<!-- recipe: " name " -->" { want = 1; next }
    want && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$doc"
}

# `dyad` on PATH, as the recipes expect; failing once when $work/flaky exists.
mkdir -p "$work/bin"
cat >"$work/bin/dyad" <<EOF
#!/bin/sh
if [ -e "$work/flaky" ] && mkdir "$work/failed-once" 2>/dev/null; then
  echo "injected failure" >&2; exit 3
fi
exec "$dyad" "\$@"
EOF
chmod +x "$work/bin/dyad"
PATH=$work/bin:$PATH
export PATH

corpus 4000 "$work/all.jsonl"
"$dyad" ingest -q --db "$work/single.db" "$work/all.jsonl" || fail "single ingest"
"$dyad" dump --db "$work/single.db" >"$work/single.dump"

# --- one machine ---
one=$(recipe parallel-one)
[ -n "$one" ] || fail "recipe parallel-one not found in $doc"
echo "$one" | grep -q -- '--block 64M' || fail "parallel-one: expected --block 64M"
mkdir -p "$work/one"
cp "$work/all.jsonl" "$work/one/stories.jsonl"
run_one() { (cd "$work/one" && echo "$one" | sed 's/--block 64M/--block 100k/' | sh -e) 2>"$work/one.log"; }
# A job fails: the lines stop before merging; run again, as the page says.
touch "$work/flaky"
run_one && fail "parallel-one: a failed job went unnoticed"
rm -f "$work/flaky"
[ -d "$work/failed-once" ] || fail "the injected failure did not happen"
[ -e "$work/one/news.db" ] && fail "parallel-one merged after a failed job"
run_one || { cat "$work/one.log"; fail "parallel-one failed"; }
n=$(ls "$work/one/shards" | grep -c '\.db$')
[ "$n" -ge 5 ] || fail "parallel-one: only $n shards"
ls "$work/one/shards" | grep -q tmp && fail "parallel-one: temporary files left"
"$dyad" dump --db "$work/one/news.db" | cmp -s - "$work/single.dump" ||
  fail "parallel-one: store differs from one ingest"
run_one || { cat "$work/one.log"; fail "parallel-one again"; }
"$dyad" dump --db "$work/one/news.db" | cmp -s - "$work/single.dump" ||
  fail "parallel-one: a second run changed the store"
echo "parallel-one: $n shards, one job failed and run again: identical to one ingest"

# --- several machines (here: the local one) ---
ssh=$(recipe parallel-ssh)
[ -n "$ssh" ] || fail "recipe parallel-ssh not found in $doc"
mkdir -p "$work/ssh/stories"
sed -n '1,1500p' "$work/all.jsonl" >"$work/ssh/stories/day1.jsonl"
sed -n '1501,3000p' "$work/all.jsonl" >"$work/ssh/stories/day2.jsonl"
sed -n '3001,$p' "$work/all.jsonl" >"$work/ssh/stories/day3.jsonl"
echo "$ssh" | grep -q -- '--sshlogin 8/node1,8/node2' || fail "parallel-ssh: expected --sshlogin 8/node1,8/node2"
rm -rf "$work/failed-once"
touch "$work/flaky"
(cd "$work/ssh" && echo "$ssh" | sed "s|--sshlogin 8/node1,8/node2|--sshlogin 2/:|; s|/shared|$work/ssh|g" | sh -e) \
  2>"$work/ssh.log" || { cat "$work/ssh.log"; fail "parallel-ssh failed"; }
[ -d "$work/failed-once" ] || fail "the injected failure did not happen"
n=$(ls "$work/ssh/run/shards" | grep -c '\.db$')
[ "$n" = 3 ] || fail "parallel-ssh: $n shards"
"$dyad" dump --db "$work/ssh/run/news.db" | cmp -s - "$work/single.dump" ||
  fail "parallel-ssh: store differs from one ingest"
echo "parallel-ssh: $n shards, one job retried: identical to one ingest"
echo "ok: parallel"
