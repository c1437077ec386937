#!/usr/bin/env python3
"""interleave.py RUNS LABEL CMD [LABEL CMD ...]: runs every command once per round, RUNS rounds
(after one untimed warm-up round), so all commands see the same machine state; prints per label
the median wall time (s) and median peak RSS (KiB, the child's ru_maxrss from wait4).
CMD is one shell-quoted string (split with shlex, run without a shell); output is discarded."""
import os, shlex, statistics, sys, time

def run(argv):
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ,
                          file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                                        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
    _, status, ru = os.wait4(pid, 0)
    dt = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("interleave.py: failed (%d): %s" % (os.waitstatus_to_exitcode(status), shlex.join(argv)))
    return dt, ru.ru_maxrss

def main():
    runs = int(sys.argv[1])
    pairs = list(zip(sys.argv[2::2], (shlex.split(c) for c in sys.argv[3::2])))
    times = {l: [] for l, _ in pairs}
    rss = {l: [] for l, _ in pairs}
    for r in range(runs + 1):
        for label, argv in pairs:
            dt, m = run(argv)
            if r:
                times[label].append(dt)
                rss[label].append(m)
    for label, _ in pairs:
        print("%s %.4f %d" % (label, statistics.median(times[label]), statistics.median(rss[label])))

main()
