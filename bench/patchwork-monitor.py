"""Epoch log of long trainings for bench/results (issue 14): at every epoch save of each model folder, the
iterations done, the training process's CPU seconds (/proc/PID/stat, user + system), the load average, and a
copy of that epoch's weights (so a model can be evaluated at equal CPU time with another).

    patchwork-monitor.py OUT.txt SNAPSHOT_DIR NAME=MODEL_DIR:PID ...

Stops when every training process has ended.
"""

import json
import os
import shutil
import sys
import time

out, snapshots, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(snapshots, exist_ok=True)
tick = os.sysconf("SC_CLK_TCK")
watched = []
for spec in specs:
    name, rest = spec.split("=", 1)
    folder, pid = rest.rsplit(":", 1)
    watched.append({"name": name, "folder": folder, "pid": int(pid), "mtime": 0.0, "cpu": 0.0})


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick
    except OSError:
        return None


while True:
    alive = False
    for w in watched:
        cpu = cpu_seconds(w["pid"])
        if cpu is not None:
            alive, w["cpu"] = True, cpu
        path = os.path.join(w["folder"], "model_patchwork.json")
        try:
            mtime = os.path.getmtime(path)
        except OSError:
            continue
        if mtime == w["mtime"]:
            continue
        w["mtime"] = mtime
        try:
            done = json.load(open(path))["training"]["iterations_done"]
        except (OSError, ValueError, KeyError):
            w["mtime"] = 0.0  # caught mid-write: read it again next time
            continue
        shutil.copyfile(os.path.join(w["folder"], "weights.pt"), os.path.join(snapshots, f"{w['name']}-{done}.pt"))
        load = " ".join(f"{v:.2f}" for v in os.getloadavg())
        with open(out, "a") as f:
            f.write(f"{time.strftime('%H:%M:%S', time.gmtime())} {w['name']} {done} cpu={w['cpu']:.2f} load={load}\n")
    if not alive:
        break
    time.sleep(3)
