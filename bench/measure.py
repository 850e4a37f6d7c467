#!/usr/bin/env python3
"""measure.py - run a command, print 'SECONDS MAXRSS_KB EXIT USER SYS' (wall
time, peak RSS, exit status, user and system CPU seconds of the command).
Stdout of the command goes to /dev/null unless --keep FILE. With --best N
the command runs N times and the run with the least wall time is reported:
on a shared machine the least disturbed run is the closest to the truth.
Used by bench/run and bench/vuln_run."""
import os, subprocess, sys, time

args = sys.argv[1:]
keep = None
best = 1
while args and args[0] in ("--keep", "--best"):
    if args[0] == "--keep":
        keep = args[1]
    else:
        best = max(1, int(args[1]))
    args = args[2:]

result = None
for _ in range(best):
    out = open(keep, "wb") if keep else subprocess.DEVNULL
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.monotonic() - t0
    if keep:
        out.close()
    rc = os.waitstatus_to_exitcode(status)
    if result is None or dt < result[0]:
        result = (dt, ru.ru_maxrss, rc, ru.ru_utime, ru.ru_stime)
dt, rss, rc, ut, st = result
print(f"{dt:.3f} {rss} {rc} {ut:.3f} {st:.3f}")
