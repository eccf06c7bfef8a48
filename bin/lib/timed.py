"""Runs a command with its output appended to a log; prints "<wall seconds> <peak RSS MiB>".

Usage: python3 bin/lib/timed.py LOG COMMAND [ARGS...]

The peak RSS is the largest of the command's processes (getrusage of the children). On failure it
exits non-zero with the command and the log's last lines on stderr, so a bench shows why a step
failed even when its work space is removed afterwards.
"""
import resource
import subprocess
import sys
import time

TAIL_LINES = 15


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: timed.py LOG COMMAND [ARGS...]")
    log, cmd = argv[1], argv[2:]
    start = time.time()
    with open(log, "ab") as out:
        rc = subprocess.call(cmd, stdout=out, stderr=out)
    elapsed = time.time() - start
    rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if rc != 0:
        with open(log, "rb") as f:
            tail = f.read().decode("utf-8", "replace").splitlines()[-TAIL_LINES:]
        sys.exit(f"command failed ({rc}): {' '.join(cmd)}; the last lines of {log}:\n" + "\n".join(tail))
    print(f"{elapsed:.1f} {rss_mib:.0f}")


if __name__ == "__main__":
    main(sys.argv)
