#!/usr/bin/env python3
"""Runs a command and prints the wall time and the CPU time of it and of every process it started.

`time` misses processes that outlive the command (the local executor's launcher is detached and reaps
the tasks after `cohort run` may have answered): this process becomes a child subreaper, so orphans
are reparented here, and it waits for every descendant before it reads RUSAGE_CHILDREN.
Usage: cpu-tree.py COMMAND [ARGS...]; prints one JSON line on fd 3 when open, else on stderr:
{"wall_ms": answered, "tree_ms": until the last descendant ended, "cpu_ms": user+system of all,
"own_cpu_ms": of the command and the children it waited for itself}.
The command's stdout and stderr pass through.
"""
import ctypes, json, os, resource, subprocess, sys, time

PR_SET_CHILD_SUBREAPER = 36
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("cpu-tree: prctl(PR_SET_CHILD_SUBREAPER) failed")
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:])
code = child.wait()
answered = time.perf_counter()
# The command alone (and what it waited for itself): not yet the orphans it left to this process.
own = resource.getrusage(resource.RUSAGE_CHILDREN)
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
ended = time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
line = json.dumps({"wall_ms": round((answered - start) * 1000, 1), "tree_ms": round((ended - start) * 1000, 1),
                   "cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1000, 1),
                   "own_cpu_ms": round((own.ru_utime + own.ru_stime) * 1000, 1), "code": code})
try:
    os.write(3, (line + "\n").encode())
except OSError:
    sys.stderr.write(line + "\n")
sys.exit(code)
