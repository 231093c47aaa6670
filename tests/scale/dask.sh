#!/bin/sh
# dask.sh DYAD - the Dask driver (contrib/dask/dyad_dask.py) on a real local
# cluster: a scheduler and two workers on 127.0.0.1, started here.
#
# Three input files (about 6,000 stories, later ones changing some earlier
# stories) are cut into shards; one shard fails once on purpose (the
# driver must submit it again), and one worker is killed with SIGKILL
# while it runs a shard (the cluster must run that shard on the other
# worker). The merged store must dump exactly as one `dyad ingest` of the
# same files. Then, with PostgreSQL when it is installed: a second driver
# run resumes (runs nothing, merges into a PostgreSQL target), and a run
# after one shard's output was lost runs that shard only and leaves the
# other shard files alone.
#
# Every process started here is stopped by its PID at exit.
set -u
dyad=$1
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
driver=$here/../../contrib/dask/dyad_dask.py
[ -x $PY ] || skip "no /usr/bin/python3"
$PY -c 'import distributed' 2>/dev/null ||
  skip "python3-distributed is not installed (apt-get install python3-distributed)"
[ -x /usr/bin/dask-scheduler ] && [ -x /usr/bin/dask-worker ] ||
  skip "dask-scheduler/dask-worker not found (apt-get install python3-distributed)"
scale_init

# --- input: three files; the third changes stories of the first ---
corpus 6000 "$work/all.jsonl"
sed -n '1,2000p' "$work/all.jsonl" >"$work/in1.jsonl"
sed -n '2001,3500p' "$work/all.jsonl" >"$work/in2.jsonl"
sed -n '3501,$p' "$work/all.jsonl" >"$work/in3.jsonl"
inputs="$work/in1.jsonl $work/in2.jsonl $work/in3.jsonl"
"$dyad" ingest -q --db "$work/single.db" $inputs || fail "single ingest"
"$dyad" dump --db "$work/single.db" >"$work/single.dump" || fail dump

# dyad as the workers run it: slow enough to be caught mid-shard, and
# failing once (the first call) to exercise the driver's retries.
cat >"$work/dyad-worker" <<EOF
#!/bin/sh
if mkdir "$work/failed-once" 2>/dev/null; then
  echo "injected failure" >&2
  exit 3
fi
sleep 0.4
exec "$dyad" "\$@"
EOF
chmod +x "$work/dyad-worker"

# --- the cluster ---
dask_start 2
set -- $worker_pids
worker1=$1
worker2=$2
victim=$worker1
survivor=$worker2

# --- the run, with a worker killed mid-run ---
$PY "$driver" --scheduler-file "$scheduler_file" --dyad "$work/dyad-worker" \
  --work "$work/shards" --db "$work/merged.db" --shard-bytes 100000 --retries 3 \
  --report "$work/report.json" $inputs >"$work/driver.log" 2>&1 &
drv=$!
scale_track $drv
# Wait until two shards are done and the victim is running another one.
killed=""
i=0
while [ $i -lt 600 ] && kill -0 $drv 2>/dev/null; do
  done_n=$(ls "$work/shards" 2>/dev/null | grep -c '^shard-[0-9]*-[0-9a-f]*\.db$')
  running=$(ls "$work/shards" 2>/dev/null | grep -- "\.tmp-[^-]*-$victim-.*\.log$" | head -1)
  if [ "$done_n" -ge 2 ] && [ -n "$running" ]; then
    kill -KILL $victim
    scale_untrack $victim
    killed=${running%%.db.tmp-*}
    break
  fi
  sleep 0.05
  i=$((i + 1))
done
[ -n "$killed" ] || { cat "$work/driver.log"; fail "never caught the victim mid-shard"; }
wait $drv
rc=$?
scale_untrack $drv
cat "$work/driver.log" >&2
[ $rc = 0 ] || fail "driver exited $rc"
kill -0 $victim 2>/dev/null && fail "the victim is alive"
kill -0 $survivor 2>/dev/null || fail "the surviving worker died"

# What happened: every shard done, the killed one by the survivor, and
# more attempts than shards (the injected failure).
$PY - "$work/report.json" "$killed" "$survivor" <<'EOF' || fail "report"
import json, sys
r = json.load(open(sys.argv[1]))
killed, survivor = sys.argv[2], int(sys.argv[3])
assert r["failed"] == [], r["failed"]
assert len(r["per_shard"]) == r["shards"] == r["run"], (len(r["per_shard"]), r["shards"])
assert r["shards"] >= 8, r["shards"]
assert r["attempts"] > r["shards"], "no shard was submitted again"
by_name = {s["name"]: s for s in r["per_shard"]}
assert by_name[killed]["pid"] == survivor, ("killed shard ran on", by_name[killed]["pid"])
pids = {s["pid"] for s in r["per_shard"]}
assert len(pids) == 2, pids
print("report: %d shards, %d attempts, shard %s rerun on the survivor" %
      (r["shards"], r["attempts"], killed))
EOF
ls "$work/shards" | grep -q '\.tmp-' && { ls "$work/shards"; fail "temporary files left"; }
"$dyad" dump --db "$work/merged.db" >"$work/merged.dump" || fail dump
cmp -s "$work/merged.dump" "$work/single.dump" ||
  { diff "$work/single.dump" "$work/merged.dump" | head; fail "merged store differs from one ingest"; }
echo "merged after a worker was killed: identical to one ingest ($(dumpcount "$work/single.dump"))"

# --- resume into PostgreSQL; lose one shard and run again ---
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] && { [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1; }; then
  pg_start
  pg=$(newdb dask)
  $PY "$driver" --scheduler-file "$scheduler_file" --dyad "$dyad" --work "$work/shards" \
    --db "$pg" --shard-bytes 100000 --report "$work/report2.json" $inputs 2>"$work/driver2.log" ||
    { cat "$work/driver2.log"; fail "second run"; }
  grep -q '"run": 0' "$work/report2.json" || fail "second run ran shards again"
  "$dyad" dump --db "$pg" | cmp -s - "$work/single.dump" || fail "PostgreSQL merge differs"
  lost=$(ls "$work/shards"/shard-000003-*.db)
  ls -li "$work/shards"/*.db | grep -v "shard-000003-" >"$work/before"
  rm -f "$lost"
  $PY "$driver" --scheduler-file "$scheduler_file" --dyad "$dyad" --work "$work/shards" \
    --db "$pg" --shard-bytes 100000 --report "$work/report3.json" $inputs 2>"$work/driver3.log" ||
    { cat "$work/driver3.log"; fail "third run"; }
  grep -q '"run": 1' "$work/report3.json" || fail "third run did not run exactly the lost shard"
  [ -s "$lost" ] || fail "lost shard not written again"
  ls -li "$work/shards"/*.db | grep -v "shard-000003-" | cmp -s - "$work/before" ||
    fail "rerunning one shard touched other shards"
  "$dyad" dump --db "$pg" | cmp -s - "$work/single.dump" || fail "PostgreSQL after rerun differs"
  echo "resumed into PostgreSQL, reran one lost shard: identical"
else
  echo "note: PostgreSQL not installed; the PostgreSQL part was not run"
fi
echo "ok: dask"
