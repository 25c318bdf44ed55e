"""CPU seconds per component during a load run: python -m bench.load.cpu snapshot|diff.

A component is a process tree (a gunicorn master and its workers, a postmaster and its backends),
named by role and given by its root pid. `snapshot role=pid ...` prints JSON ticks; `diff A B SECONDS`
prints CPU seconds and cores used per role.
"""
import json
import os
import sys

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, user+system ticks of the process and its reaped children)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), sum(int(v) for v in fields[11:15])  # utime stime cutime cstime


def tree_ticks(root: int) -> int:
    procs = {int(p): _stat(int(p)) for p in os.listdir("/proc") if p.isdigit()}
    children: dict[int, list[int]] = {}
    for pid, st in procs.items():
        if st:
            children.setdefault(st[0], []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if procs.get(pid):
            total += procs[pid][1]
            stack.extend(children.get(pid, []))
    return total


def main(argv):
    if argv[0] == "snapshot":
        print(json.dumps({role: tree_ticks(int(pid)) for role, pid in (a.split("=") for a in argv[1:])}))
    elif argv[0] == "diff":
        a, b, seconds = json.load(open(argv[1])), json.load(open(argv[2])), float(argv[3])
        out = {role: {"cpu_seconds": round((b[role] - a[role]) / TICKS, 1),
                      "cores": round((b[role] - a[role]) / TICKS / seconds, 2)} for role in a if role in b}
        print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
