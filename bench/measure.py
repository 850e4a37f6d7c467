#!/usr/bin/env python3
"""measure.py - run a command, print 'SECONDS MAXRSS_KB EXIT' (stdout of the
command goes to /dev/null unless --keep FILE). Used by bench/run."""
import os, resource, subprocess, sys, time

args = sys.argv[1:]
out = subprocess.DEVNULL
if args and args[0] == "--keep":
    out = open(args[1], "wb")
    args = args[2:]
t0 = time.monotonic()
p = subprocess.run(args, stdout=out, stderr=subprocess.DEVNULL)
dt = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{dt:.3f} {rss} {p.returncode}")
