#!/usr/bin/python3
"""dyad_dask.py - code story files on a Dask cluster with the dyad CLI.

The coder stays a single-process program; Dask only schedules it:

 1. The input files are cut into shards on line boundaries (about
    --shard-bytes each; files that are not JSON lines are one shard each).
    Shards are numbered in input order and named after what they hold
    (file, size, modification time, byte range, dyad options), so a shard
    whose input changes gets a new name and old outputs are never reused
    by mistake.
 2. Each shard is one task: a worker runs `dyad ingest --db TMP` (or
    `dyad code`) on its byte range, writing a file of its own, and renames
    TMP to the shard's name only when dyad succeeded. A shard that is run
    again (after a failure, on another worker, or by a second driver run)
    writes a new temporary file and replaces its own output only. Outputs
    that already exist are kept: running the driver again resumes.
 3. Tasks that fail, or whose worker dies, are submitted again, up to
    --retries times.
 4. In ingest mode the shards are merged in shard order into --db (SQLite
    file or postgresql:// URL) with `dyad merge`, which copies stories and
    mentions idempotently and groups mentions into events: the result is
    the store one `dyad ingest` of all the input files would give.

Run it with Debian's Python, which has python3-distributed:

  /usr/bin/python3 contrib/dask/dyad_dask.py --scheduler tcp://HOST:8786 \\
      --dyad /shared/bin/dyad --work /shared/run1 --db /shared/news.db \\
      /shared/stories/*.jsonl

The work folder and the dyad binary must be at the same path on every
worker (a shared file system); so must the input files.
"""

import argparse
import glob
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid

JSONL_FORMATS = ("jsonl",)


def plan_shards(inputs, shard_bytes, input_format, options):
    """Shards as dicts: index, name, path, start, end, whole."""
    shards = []
    for path in inputs:
        path = os.path.abspath(path)
        st = os.stat(path)
        size = st.st_size
        if size == 0:
            continue
        ranges = []
        if input_format not in JSONL_FORMATS or size <= shard_bytes:
            ranges.append((0, size, True))
        else:
            with open(path, "rb") as f:
                b = 0
                while b < size:
                    e = min(b + shard_bytes, size)
                    if e < size:
                        # End after the line that holds byte e-1.
                        f.seek(e - 1)
                        e = e - 1 + len(f.readline())
                    ranges.append((b, e, b == 0 and e == size))
                    b = e
        for start, end, whole in ranges:
            key = "\0".join(str(x) for x in (path, size, st.st_mtime_ns, start, end,
                                              input_format, " ".join(options)))
            digest = hashlib.sha1(key.encode()).hexdigest()[:12]
            index = len(shards)
            shards.append({"index": index, "name": "shard-%06d-%s" % (index, digest),
                           "path": path, "start": start, "end": end, "whole": whole})
    return shards


def output_path(outdir, shard, mode):
    return os.path.join(outdir, shard["name"] + (".db" if mode == "ingest" else ".out"))


def run_shard(shard, dyad, outdir, mode, options):
    """Run dyad on one shard (on a worker). Returns a small report."""
    t0 = time.time()
    final = output_path(outdir, shard, mode)
    host = socket.gethostname()
    report = {"name": shard["name"], "index": shard["index"], "host": host,
              "pid": os.getpid(), "bytes": shard["end"] - shard["start"]}
    if os.path.exists(final):
        report.update(skipped=True, seconds=0.0)
        return report
    tmp = "%s.tmp-%s-%d-%s" % (final, host, os.getpid(), uuid.uuid4().hex[:8])
    log = tmp + ".log"
    # The input: the file itself for a whole file, else its byte range on
    # standard input ('-').
    src = shard["path"] if shard["whole"] else "-"
    if mode == "ingest":
        cmd = [dyad, "ingest", "-q", "--db", tmp] + options + [src]
    else:
        cmd = [dyad, "code", "-q"] + options + [src]
    # A worker that dies takes its dyad with it (parent-death signal).
    if shutil.which("setpriv"):
        cmd = ["setpriv", "--pdeathsig", "KILL", "--"] + cmd

    def cleanup():
        for p in (tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass

    try:
        with open(log, "wb") as err, open(tmp if mode == "code" else os.devnull, "wb") as out:
            p = subprocess.Popen(cmd, stdin=subprocess.PIPE if src == "-" else subprocess.DEVNULL,
                                 stdout=out, stderr=err)
            broken = False
            if src == "-":
                try:
                    with open(shard["path"], "rb") as f:
                        f.seek(shard["start"])
                        left = shard["end"] - shard["start"]
                        while left > 0:
                            chunk = f.read(min(1 << 20, left))
                            if not chunk:
                                p.kill()
                                raise IOError("%s: shorter than planned" % shard["path"])
                            p.stdin.write(chunk)
                            left -= len(chunk)
                except BrokenPipeError:
                    broken = True   # dyad stopped reading: its exit status tells why
                finally:
                    try:
                        p.stdin.close()
                    except BrokenPipeError:
                        pass
            rc = p.wait()
        with open(log, "rb") as f:
            tail = f.read()[-2000:].decode("utf-8", "replace")
        if rc == 0 and broken:
            rc = -1                   # it exited early without an error: not a whole shard
        if rc != 0:
            raise RuntimeError("%s: dyad exited with %d on %s: %s" % (shard["name"], rc, host,
                                                                      tail.strip()))
        if mode == "ingest" and os.path.exists(tmp + "-wal"):
            raise RuntimeError("%s: the store was not closed cleanly" % shard["name"])
        os.replace(tmp, final)        # atomic: the shard is there whole or not at all
        try:
            dfd = os.open(outdir, os.O_RDONLY)
            os.fsync(dfd)
            os.close(dfd)
        except OSError:
            pass
    except BaseException:
        cleanup()
        raise
    finally:
        try:
            os.unlink(log)
        except FileNotFoundError:
            pass
    report.update(skipped=False, seconds=time.time() - t0, messages=tail.strip())
    return report


def main(argv=None):
    ap = argparse.ArgumentParser(description="Code story files on a Dask cluster with dyad.")
    ap.add_argument("inputs", nargs="+", help="story files (JSON lines unless --input)")
    ap.add_argument("--scheduler", help="scheduler address, tcp://HOST:PORT")
    ap.add_argument("--scheduler-file", help="scheduler file written by dask-scheduler")
    ap.add_argument("--local", type=int, metavar="N",
                    help="no cluster: start N local worker processes")
    ap.add_argument("--dyad", default="dyad", help="the dyad binary, same path on every worker")
    ap.add_argument("--work", required=True, help="shared folder for the shard outputs")
    ap.add_argument("--mode", choices=("ingest", "code"), default="ingest",
                    help="ingest: shard stores merged into --db (default); "
                         "code: one event file per shard")
    ap.add_argument("--db", help="merge target: SQLite file or postgresql:// URL")
    ap.add_argument("--no-merge", action="store_true", help="stop after the shards")
    ap.add_argument("--out", help="code mode: also concatenate the shards' events, in input "
                                  "order, into this file")
    ap.add_argument("--shard-bytes", type=int, default=64 << 20,
                    help="shard size in bytes of input (default 64 MiB)")
    ap.add_argument("--retries", type=int, default=3,
                    help="times a failed shard is submitted again (default 3)")
    ap.add_argument("--kb", action="append", default=[], help="passed to dyad")
    ap.add_argument("--input", default="jsonl", help="input format, passed to dyad")
    ap.add_argument("--date", help="story date for --input text, passed to dyad")
    ap.add_argument("--format", help="event format in code mode, passed to dyad")
    ap.add_argument("--report", help="write a JSON report (timings per shard) here")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)

    def say(msg):
        if not a.quiet:
            print("dyad-dask: " + msg, file=sys.stderr, flush=True)

    if a.mode == "ingest" and not a.db and not a.no_merge:
        ap.error("--db is required in ingest mode (or --no-merge)")
    if sum(x is not None for x in (a.scheduler, a.scheduler_file, a.local)) != 1:
        ap.error("give one of --scheduler, --scheduler-file, --local")
    options = []
    for k in a.kb:
        options += ["--kb", os.path.abspath(k)]
    if a.input != "jsonl":
        options += ["--input", a.input]
    if a.date:
        options += ["--date", a.date]
    if a.format and a.mode == "code":
        options += ["--format", a.format]
    dyad = shutil.which(a.dyad) or a.dyad
    dyad = os.path.abspath(dyad) if os.sep in dyad else dyad
    outdir = os.path.abspath(a.work)
    os.makedirs(outdir, exist_ok=True)
    if a.shard_bytes < 1:
        ap.error("--shard-bytes must be positive")

    shards = plan_shards(a.inputs, a.shard_bytes, a.input, options)
    todo = [s for s in shards if not os.path.exists(output_path(outdir, s, a.mode))]
    say("%d shards, %d to run, %d already done" % (len(shards), len(todo), len(shards) - len(todo)))

    from dask.distributed import Client, as_completed
    cluster = None
    if a.local:
        from dask.distributed import LocalCluster
        cluster = LocalCluster(n_workers=a.local, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    elif a.scheduler_file:
        client = Client(scheduler_file=a.scheduler_file)
    else:
        client = Client(a.scheduler)

    t0 = time.time()
    reports, failed = {}, []
    attempts = {}
    try:
        futures = {}

        def submit(s):
            n = attempts.get(s["index"], 0)
            attempts[s["index"]] = n + 1
            f = client.submit(run_shard, s, dyad, outdir, a.mode, options,
                              key="dyad-%s-try%d" % (s["name"], n), pure=False)
            futures[f] = s
            return f

        ac = as_completed([submit(s) for s in todo])
        for f in ac:
            s = futures.pop(f)
            if f.status == "finished":
                r = f.result()
                reports[s["index"]] = r
                say("[%d/%d] %s on %s (pid %d) in %.2f s" % (len(reports), len(todo), s["name"],
                                                            r["host"], r["pid"], r["seconds"]))
            else:
                exc = f.exception()
                if attempts[s["index"]] <= a.retries:
                    say("%s failed (%s: %s); submitting it again" %
                        (s["name"], type(exc).__name__, str(exc).strip()[:300]))
                    ac.add(submit(s))
                else:
                    say("%s failed %d times, giving up: %s" % (s["name"], attempts[s["index"]], exc))
                    failed.append(s)
            f.release()
    finally:
        client.close()
        if cluster:
            cluster.close()
    t_shards = time.time() - t0
    # Temporary files of attempts whose worker died.
    stale = [p for p in glob.glob(os.path.join(outdir, "shard-*.tmp-*"))]
    for p in stale:
        try:
            os.unlink(p)
        except OSError:
            pass
    rep = {"shards": len(shards), "run": len(todo), "failed": [s["name"] for s in failed],
           "attempts": sum(attempts.values()), "shard_seconds": t_shards,
           "stale_files_removed": len(stale),
           "per_shard": [reports[k] for k in sorted(reports)]}
    rc = 0
    if failed:
        say("%d shards failed; nothing merged. Run again to retry them." % len(failed))
        rc = 1
    elif a.mode == "ingest" and not a.no_merge:
        listfile = os.path.join(outdir, "merge-list.txt")
        with open(listfile, "w") as f:
            for s in shards:
                f.write(output_path(outdir, s, a.mode) + "\n")
        t1 = time.time()
        say("merging %d shards into %s" % (len(shards), a.db))
        r = subprocess.run([dyad, "merge", "-q", "--db", a.db, "--list", listfile])
        rep["merge_seconds"] = time.time() - t1
        if r.returncode != 0:
            say("merge failed (exit %d); it can be run again" % r.returncode)
            rc = 1
    elif a.mode == "code":
        rep["outputs"] = [output_path(outdir, s, a.mode) for s in shards]
        if a.out:
            tmp = "%s.tmp-%d" % (a.out, os.getpid())
            with open(tmp, "wb") as out:
                for p in rep["outputs"]:
                    with open(p, "rb") as f:
                        shutil.copyfileobj(f, out)
            os.replace(tmp, a.out)
    rep["seconds"] = time.time() - t0
    say("done in %.2f s (%d shards run, %d attempts)" % (rep["seconds"], len(todo),
                                                        rep["attempts"]))
    if a.report:
        with open(a.report, "w") as f:
            json.dump(rep, f, indent=1)
    return rc


if __name__ == "__main__":
    sys.exit(main())
