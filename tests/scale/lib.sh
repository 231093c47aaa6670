# lib.sh - helpers for the sharded-run tests (sourced, not run).
#
#   scale_init            make $work, trap EXIT to stop what was started
#   scale_track PID       stop PID (SIGTERM, then SIGKILL) at exit
#   fail MSG              print FAIL: MSG and exit 1
#   skip MSG              print the reason and exit 77 (ctest SKIP)
#   pg_start              start a PostgreSQL server in $work (skip if absent)
#   newdb NAME            print a fresh store target: $work/NAME.db, or a new
#                         PostgreSQL database when pg_start was called
#   corpus N FILE         write the test corpus: N generated stories, then
#                         changed versions of the first 40 (same ids, other
#                         countries) and an exact repeat of story 100, so
#                         later shards replace stories of earlier ones
#   dumpcount FILE        "stories=N mentions=N events=N" of a dump
#   dask_start N          start a Dask scheduler and N workers (no nanny,
#                         one thread each) on 127.0.0.1; sets $scheduler_file
#                         and $worker_pids (in order)
#   dask_stop             stop the workers and the scheduler of dask_start

here=$(cd "$(dirname "$0")" && pwd)
scale_pids=""
pgdir=""

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "skipped: $*"; exit 77; }

scale_track() { scale_pids="$scale_pids $1"; }
# Forget PID (it was stopped here), so that exit never signals a reused PID.
scale_untrack() { scale_pids=$(for p in $scale_pids; do [ "$p" = "$1" ] || printf ' %s' "$p"; done); }

# Stop PID: SIGTERM, then SIGKILL after 5 s; then forget it.
scale_stop() {
  kill -TERM "$1" 2>/dev/null
  si=0
  while kill -0 "$1" 2>/dev/null && [ $si -lt 50 ]; do sleep 0.1; si=$((si + 1)); done
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  scale_untrack "$1"
}

scale_cleanup() {
  for p in $scale_pids; do
    kill -TERM "$p" 2>/dev/null
  done
  for p in $scale_pids; do
    i=0
    while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$p" 2>/dev/null
  done
  if [ -n "$pgdir" ]; then
    $PGRUN "$PGBIN/pg_ctl" -D "$pgdir" -m immediate stop >/dev/null 2>&1
  fi
  [ -n "${scale_extra_cleanup:-}" ] && $scale_extra_cleanup
  [ -n "${KEEP:-}" ] && { echo "kept $work"; return; }
  rm -rf "$work"
}

scale_init() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/dyad-scale.XXXXXX")
  chmod 755 "$work"
  trap scale_cleanup EXIT
  trap 'exit 1' INT TERM HUP
}

pg_start() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    skip "PostgreSQL server binaries not installed (apt-get install postgresql)"
  fi
  PGRUN=""
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || skip "no postgres user"
    PGRUN="runuser -u postgres --"
  fi
  mkdir -p "$work/pgsock"
  [ "$(id -u)" = 0 ] && chown postgres "$work/pgsock"
  $PGRUN "$PGBIN/initdb" -D "$work/pgsock/data" -A trust -U dyad >/dev/null 2>&1 || fail "initdb"
  $PGRUN "$PGBIN/pg_ctl" -D "$work/pgsock/data" -l "$work/pgsock/log" -w \
    -o "-k $work/pgsock -c listen_addresses='' -c fsync=off" start >/dev/null ||
    { cat "$work/pgsock/log"; fail "pg_ctl start"; }
  pgdir="$work/pgsock/data"
}

newdb() {
  if [ -n "$pgdir" ]; then
    $PGRUN "$PGBIN/createdb" -h "$work/pgsock" -U dyad "$1" || fail "createdb $1"
    echo "postgresql:///$1?host=$work/pgsock&user=dyad"
  else
    echo "$work/$1.db"
  fi
}

corpus() {
  "$here/gencorpus.sh" "$1" >"$2" || fail "gencorpus"
  head -40 "$2" | sed 's/Turkey/Greece/g; s/Pakistan/Bangladesh/g; s/India/Nepal/g' >>"$2"
  line100=$(sed -n 100p "$2")
  printf '%s\n' "$line100" >>"$2"
}

dumpcount() {
  awk '/^== /{t=$2; next} {c[t]++} END {printf "stories=%d mentions=%d events=%d\n", c["stories"], c["mentions"], c["events"]}' "$1"
}

dask_start() {
  scheduler_file=$work/scheduler.json
  rm -f "$scheduler_file"
  /usr/bin/dask-scheduler --host 127.0.0.1 --port 0 --no-dashboard \
    --scheduler-file "$scheduler_file" >"$work/scheduler.log" 2>&1 &
  scheduler_pid=$!
  scale_track $!
  i=0
  while [ ! -s "$scheduler_file" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  [ -s "$scheduler_file" ] || { cat "$work/scheduler.log"; fail "scheduler did not start"; }
  worker_pids=""
  dw=1
  while [ $dw -le "$1" ]; do
    mkdir -p "$work/w$dw"
    /usr/bin/dask-worker --scheduler-file "$scheduler_file" --host 127.0.0.1 --no-nanny \
      --nthreads 1 --no-dashboard --name "w$dw" --local-directory "$work/w$dw" \
      --death-timeout 60 >"$work/w$dw.log" 2>&1 &
    scale_track $!
    worker_pids="$worker_pids $!"
    dw=$((dw + 1))
  done
  /usr/bin/python3 -c '
import sys
from dask.distributed import Client
c = Client(scheduler_file=sys.argv[1], timeout=60)
c.wait_for_workers(int(sys.argv[2]), timeout=60)
c.close()' "$scheduler_file" "$1" || { cat "$work"/w?.log; fail "workers did not join"; }
}

dask_stop() {
  for p in $worker_pids; do scale_stop "$p"; done
  scale_stop "$scheduler_pid"
  worker_pids=""
}
