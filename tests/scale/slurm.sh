#!/bin/sh
# slurm.sh DYAD - the Slurm recipe (contrib/slurm) on a single-node cluster
# started here: munged, slurmctld and slurmd, all state under a temporary
# folder, ports on 127.0.0.1 chosen free.
#
# Three input files are cut into shards of 500 stories and run as a job
# array; one task fails once on purpose (the recipe must resubmit it).
# The merged store must dump exactly as one `dyad ingest` of the same
# files; a second run must resume without running a task.
#
# Needs root (slurmd runs jobs as their user) and Debian's slurmctld,
# slurmd, slurm-client and munge; skips otherwise. Every daemon started
# here is stopped by its PID at exit.
set -u
dyad=$1
. "$(dirname "$0")/lib.sh"
recipe=$here/../../contrib/slurm/dyad-slurm.sh
for b in /usr/sbin/slurmctld /usr/sbin/slurmd /usr/sbin/munged /usr/bin/sbatch; do
  [ -x "$b" ] || skip "$b not found (apt-get install slurmctld slurmd slurm-client munge)"
done
[ "$(id -u)" = 0 ] || skip "the single-node Slurm cluster needs root"
[ -r /etc/munge/munge.key ] || skip "no /etc/munge/munge.key"
id munge >/dev/null 2>&1 || skip "no munge user"
scale_init

# --- the cluster ---
S=$work/slurm
mkdir -p "$S/state" "$S/spool" "$S/log" "$S/munge"
chown munge:munge "$S/munge"
chmod 755 "$S/munge"
runuser -u munge -- /usr/sbin/munged --socket="$S/munge/munge.socket" \
  --pid-file="$S/munge/munged.pid" --log-file="$S/munge/munged.log" \
  --seed-file="$S/munge/munged.seed" || fail "munged"
i=0
while [ ! -s "$S/munge/munged.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
scale_track "$(cat "$S/munge/munged.pid")"
# Two free ports on loopback.
ports=$(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))' 2>/dev/null) || ports="16817 16818"
set -- $ports
node=$(hostname -s)
cpus=$(nproc)
cat >"$S/slurm.conf" <<EOF
ClusterName=dyadtest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$1
SlurmdPort=$2
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/munge.socket
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SwitchType=switch/none
SchedulerParameters=sched_interval=1
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$S/slurm.conf"
/usr/sbin/slurmctld -D -i -f "$SLURM_CONF" >"$S/log/slurmctld.out" 2>&1 &
scale_track $!
/usr/sbin/slurmd -D -f "$SLURM_CONF" -N "$node" >"$S/log/slurmd.out" 2>&1 &
scale_track $!
i=0
until sinfo -h -o '%T' 2>/dev/null | grep -q idle; do
  i=$((i + 1))
  [ $i -lt 300 ] || { cat "$S/log/"*; fail "the node did not come up"; }
  sleep 0.1
done

# --- input ---
corpus 4000 "$work/all.jsonl"
sed -n '1,1500p' "$work/all.jsonl" >"$work/in1.jsonl"
sed -n '1501,3000p' "$work/all.jsonl" >"$work/in2.jsonl"
sed -n '3001,$p' "$work/all.jsonl" >"$work/in3.jsonl"
inputs="$work/in1.jsonl $work/in2.jsonl $work/in3.jsonl"
"$dyad" ingest -q --db "$work/single.db" $inputs || fail "single ingest"
"$dyad" dump --db "$work/single.db" >"$work/single.dump"

# dyad as the tasks run it, failing once.
cat >"$work/dyad-task" <<EOF
#!/bin/sh
if mkdir "$work/failed-once" 2>/dev/null; then echo "injected failure" >&2; exit 3; fi
exec "$dyad" "\$@"
EOF
chmod +x "$work/dyad-task"

# --- the run ---
"$recipe" --work "$work/run" --db "$work/merged.db" --dyad "$work/dyad-task" --lines 500 \
  --retries 2 $inputs 2>"$work/recipe.log" || { cat "$work/recipe.log" "$work"/run/log-*; fail "recipe"; }
cat "$work/recipe.log"
grep -q "resubmitting shards" "$work/recipe.log" || fail "the failed task was not resubmitted"
n=$(ls "$work/run" | grep -c '^shard-[0-9]*\.db$')
[ "$n" = 9 ] || fail "expected 9 shards, got $n"
ls "$work/run" | grep -q '\.tmp-' && fail "temporary files left"
"$dyad" dump --db "$work/merged.db" | cmp -s - "$work/single.dump" ||
  fail "merged store differs from one ingest"
echo "job array of $n shards, one resubmitted: identical to one ingest ($(dumpcount "$work/single.dump"))"

# --- again: nothing to run, the same store ---
jobs_before=$(ls "$work/run" | grep -c '^log-')
"$recipe" --work "$work/run" --db "$work/merged.db" --dyad "$dyad" --lines 500 $inputs 2>/dev/null ||
  fail "second run"
[ "$(ls "$work/run" | grep -c '^log-')" = "$jobs_before" ] || fail "second run submitted tasks"
"$dyad" dump --db "$work/merged.db" | cmp -s - "$work/single.dump" || fail "second run changed the store"
echo "ok: slurm"
