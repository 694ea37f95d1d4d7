#!/usr/bin/env python3
"""A/B comparison of two builds of Cohort on the runner bench's workload, alternated with `xargs -P`.

Usage: runner-ab.py A_ROOT B_ROOT [--subjects 100] [--repeats 5]
A_ROOT and B_ROOT are installation roots (package.json, dist/, libexec/, node_modules/): e.g. a copy of
an older commit's build and this checkout. Each repeat times `cohort run` of A, of B and `xargs -P
<cores> bash -c true` (the runner bench's peer) as whole process trees (bench/cpu-tree.py), in an order
that rotates from repeat to repeat, so that a change of the machine's load falls on all three alike.
Every run gets a demo home of its own, all made and flushed before the first timed run; the last
comparison's work folder is moved aside and deleted only after the timing (bench/fresh-work.ts: on
this machine's ext4 without a journal, deleting many files just before slows the next creations).
Prints one line per timed run and, at the end, medians and the median ratio to `xargs` per build.
"""
import argparse, json, os, shutil, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CPU_TREE = os.path.join(HERE, "cpu-tree.py")
WORK = os.path.join(HERE, ".work", "runner-ab")
JOBS = 10


def timed(argv, env):
    """Wall ms, CPU ms of a whole process tree and of the command alone (Node, not the launcher); its stdout. cpu-tree.py reports on stderr's last line."""
    proc = subprocess.run(["python3", CPU_TREE, *argv], env=env, capture_output=True)
    lines = proc.stderr.decode().strip().split("\n")
    if proc.returncode != 0:
        sys.exit(f"{argv[:3]} failed ({proc.returncode}): {lines[-20:]}")
    report = json.loads(lines[-1])
    return report["wall_ms"], report["cpu_ms"], report["own_cpu_ms"], proc.stdout.decode()


def load():
    return os.getloadavg()[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--subjects", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    builds = {"A": os.path.abspath(args.a), "B": os.path.abspath(args.b)}
    aside = f"{WORK}.old-{os.getpid()}"
    if os.path.exists(WORK):
        os.rename(WORK, aside)
    os.makedirs(WORK)
    clean = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": WORK, "LANG": "C.UTF-8"}
    batch = os.path.join(WORK, "trivial.json")
    with open(batch, "w") as f:
        jobs = [{"name": f"step {k + 1}", "language": "bash", "script": "true", "args": []} for k in range(JOBS)]
        json.dump({"name": "trivial", "level": "subject", "jobs": jobs}, f)
    tasks = args.subjects * JOBS
    with open(os.path.join(WORK, "list"), "wb") as f:
        f.write(b"".join(f"t{i}\0".encode() for i in range(tasks)))
    homes = {}
    for name, root in builds.items():
        for r in range(args.repeats):
            home = os.path.join(WORK, f"home-{name}-{r}")
            env = {**clean, "COHORT_HOME": home}
            subprocess.run(["node", os.path.join(root, "dist/cli/main.js"), "demo", "--subjects",
                            str(args.subjects)], env=env, check=True, stdout=subprocess.DEVNULL)
            homes[(name, r)] = home
    subprocess.run(["sync"], check=True)
    cores = str(os.cpu_count())
    wall = {"A": [], "B": [], "x": []}
    cpu = {"A": [], "B": [], "x": []}
    own = {"A": [], "B": [], "x": []}
    ratios = {"A": [], "B": []}
    order = ["A", "B", "x"]
    for r in range(args.repeats):
        turn = order[r % 3:] + order[:r % 3]
        times = {}
        for name in turn:
            if name == "x":
                argv = ["bash", "-c", 'xargs -0 -n 1 -P "$2" bash -c true < "$1"', "x",
                        os.path.join(WORK, "list"), cores]
                env = clean
            else:
                argv = ["node", os.path.join(builds[name], "dist/cli/main.js"), "run", batch, "--json"]
                env = {**clean, "COHORT_HOME": homes[(name, r)]}
            ms, cpu_ms, own_ms, out = timed(argv, env)
            if name != "x":
                done = json.loads(out.strip().split("\n")[-1])["done"]
                if done != tasks:
                    sys.exit(f"{name} ran {done} of {tasks} tasks")
            times[name] = ms
            wall[name].append(ms)
            cpu[name].append(cpu_ms)
            own[name].append(own_ms)
            print(f"repeat {r + 1} {name}: {ms:.0f} ms wall, {cpu_ms:.0f} ms CPU ({own_ms:.0f} ms the command's own),"
                  f" load {load():.1f}", flush=True)
        for name in ("A", "B"):
            ratios[name].append(times[name] / times["x"])
    # Deleted after the timing; a next comparison started within a minute or so would pay for it (see above).
    shutil.rmtree(aside, ignore_errors=True)
    print(f"\n{tasks} tasks, {args.repeats} repeats, medians:")
    for name in ("A", "B", "x"):
        extra = f", {statistics.median(ratios[name]):.2f}x xargs (median of ratios)" if name in ratios else ""
        print(f"{name}: {statistics.median(wall[name]):.0f} ms wall, {statistics.median(cpu[name]):.0f} ms CPU"
              f" ({statistics.median(own[name]):.0f} ms its own){extra}")
    print(f"load at the end {load():.1f}")


if __name__ == "__main__":
    main()
