# bench/timing.py: the timing rounds of the command benchmarks
# (incident.sh, playbook.sh): one warm-up round, then rounds that each run
# every command once, in an order that rotates per round so noise and cache
# effects fall on all of them alike. Wall time per run from perf_counter
# around fork, exec and wait; output goes to /dev/null. What the figures
# are set against is each benchmark's own business.
import statistics, subprocess, sys, time


def run(argv):
    """Run argv; return its wall time in seconds, or exit on a failure."""
    t = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t = time.perf_counter() - t
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace"))
        sys.exit("'%s' exited %d" % (" ".join(argv), p.returncode))
    return t


def rounds(runs, cmds):
    """cmds: (label, argv) pairs, argv a function of the round (-1 for the
    warm-up). Prints each command's median, min and max; returns the
    medians in ms by label."""
    times = {label: [] for label, _ in cmds}
    for label, argv in cmds:
        run(argv(-1))
    for r in range(runs):
        for k in range(len(cmds)):
            label, argv = cmds[(r + k) % len(cmds)]
            times[label].append(run(argv(r)))
    med = {label: statistics.median(v) * 1000 for label, v in times.items()}
    print("median wall time over %d runs (ms; min .. max):" % runs)
    for label, _ in cmds:
        v = times[label]
        print("  %-32s %8.2f   (%.2f .. %.2f)" % (label, med[label], min(v) * 1000, max(v) * 1000))
    return med
