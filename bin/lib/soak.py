#!/usr/bin/env python3
"""The figures of bin/soak-scoring: samples of a running score-stream, and the report per window.

  soak.py sample --prometheus URL --every S --gc-every G --out CSV --pid PID --table NAME=DIR ...
      Until process PID ends or the file CSV.stop exists, every S seconds appends one row to CSV:
      the time, the scorer's state store (rows, bytes) from its Prometheus servlet, and the live
      files of each table (from its Delta log, no JVM beside the scorer); every G seconds also its
      driver's heap after a full GC (`jcmd PID GC.run`, then the heap's used bytes): the live heap.
      The JVM's own "used after GC" of the old generation is no such figure under the parallel
      collector (it rose from 0.5 to 2.1 GB in 30 minutes while a full GC left 0.5 to 0.75 GB).
  soak.py report --samples CSV --latency CSV --t0-ms T --window-minutes W --published N
                 --predicted P --distinct D --late L
      Prints one line per window (events published in it, their p95 latency to the committed
      prediction, then the last sample of the window) and the verdicts; exits 1 when an event was
      lost or predicted twice (published != predicted + late-quarantined, or predicted != distinct).

Speed and growth are printed, not enforced (figures belong to benchmarks); loss and duplication
fail the run.
"""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

# Spark's Prometheus servlet prints each gauge twice, as <name>_Number and <name>_Value: read one
HEAP_USED = re.compile(r"^\S*jvm_heap_used_Value\S*\s+(\S+)$", re.M)
STATE_ROWS = re.compile(r"^\S*states_rowsTotal_Value\S*\s+(\S+)$", re.M)
STATE_BYTES = re.compile(r"^\S*states_usedBytes_Value\S*\s+(\S+)$", re.M)


def total(text, pattern):
    """The sum of a metric's values in a Prometheus page; None when absent."""
    values = [float(v) for v in pattern.findall(text)]
    return int(sum(values)) if values else None


def page(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.read().decode()
    except OSError as e:
        print(f"soak: cannot read {url}: {e}", file=sys.stderr)
        return ""


def heap_after_gc(pid, url):
    """The driver's used heap right after a full GC that jcmd asked for; None when that failed."""
    if subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True).returncode != 0:
        return None
    return total(page(url), HEAP_USED)


def live_files(table):
    """Files in a Delta table's current snapshot, from the JSON commits of its log."""
    log = os.path.join(table, "_delta_log")
    if not os.path.isdir(log):
        return 0
    live = set()
    for name in sorted(f for f in os.listdir(log) if f.endswith(".json")):
        with open(os.path.join(log, name)) as f:
            for line in f:
                action = json.loads(line)
                if "add" in action:
                    live.add(action["add"]["path"])
                elif "remove" in action:
                    live.discard(action["remove"]["path"])
    return len(live)


def sample(args):
    tables = [t.split("=", 1) for t in args.table]
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["t_ms", "state_rows", "state_bytes", "heap_after_gc_bytes"] + [n for n, _ in tables])
    last_gc = time.time()
    while not os.path.exists(args.out + ".stop"):
        try:
            os.kill(args.pid, 0)
        except OSError:
            return
        text = page(args.prometheus)
        heap = None
        if time.time() - last_gc >= args.gc_every:
            heap, last_gc = heap_after_gc(args.pid, args.prometheus), time.time()
        row = [int(time.time() * 1000), total(text, STATE_ROWS), total(text, STATE_BYTES), heap] \
            + [live_files(d) for _, d in tables]
        with open(args.out, "a", newline="") as f:
            csv.writer(f).writerow(["" if v is None else v for v in row])
        time.sleep(args.every)


def windows(samples, latency, t0_ms, window_ms):
    """Rows per window: (index, events, p95_ms, last sample of the window or None)."""
    by_window = {}
    for s in samples:
        i = max(0, (int(s["t_ms"]) - t0_ms) // window_ms)
        heap = s.get("heap_after_gc_bytes") or (by_window.get(i) or {}).get("heap_after_gc_bytes")
        by_window[i] = dict(s, heap_after_gc_bytes=heap)  # the last sample, with the window's last heap figure
    out = []
    for window, events, p95 in sorted(latency, key=lambda r: int(float(r[0]))):
        i = int(float(window))
        out.append((i, int(events), int(float(p95)), by_window.get(i)))
    return out


def mb(v):
    return "-" if v in (None, "") else f"{int(v) / 1048576:.1f}"


def report(args):
    with open(args.samples) as f:
        samples = list(csv.DictReader(f))
    with open(args.latency) as f:
        latency = [r for r in csv.reader(f) if r]  # window, events, p95_ms (pdm sql's CSV has no header)
    tables = [c for c in (samples[0].keys() if samples else []) if c not in
              ("t_ms", "state_rows", "state_bytes", "heap_after_gc_bytes")]
    rows = windows(samples, latency, args.t0_ms, args.window_minutes * 60000)
    print(f"{'minutes':<9} {'events':>9} {'p95_ms':>8} {'state_rows':>11} {'state_MB':>9} {'heap_gc_MB':>11} "
          + " ".join(f"{t:>{max(8, len(t))}}" for t in tables))
    for i, events, p95, s in rows:
        span = f"{i * args.window_minutes}-{(i + 1) * args.window_minutes}"
        s = s or {}
        print(f"{span:<9} {events:>9} {p95:>8} {s.get('state_rows') or '-':>11} {mb(s.get('state_bytes')):>9} "
              f"{mb(s.get('heap_after_gc_bytes')):>11} "
              + " ".join(f"{s.get(t, '-'):>{max(8, len(t))}}" for t in tables))
    # window 0 is warm-up (JIT, the first batches' planning); the last is the drain's partial window
    # when it holds fewer events: compare the first and last windows after warm-up with a full load
    steady = [r for r in rows[1:] if r[1] >= 0.8 * max(r[1] for r in rows)]
    if len(steady) >= 2:
        first, last = steady[0], steady[-1]
        print(f"soak: p95 of the last full window ({last[2]} ms) is {last[2] / max(first[2], 1):.2f}x the first"
              f" after warm-up ({first[2]} ms; target <= 1.5x)")
    ok = args.published == args.predicted + args.late and args.predicted == args.distinct
    print(f"soak: {args.published} events published = {args.predicted} predictions + {args.late} late-quarantined:"
          f" {'yes' if args.published == args.predicted + args.late else 'NO'}; predicted twice:"
          f" {args.predicted - args.distinct}")
    return 0 if ok else 1


def main(argv):
    p = argparse.ArgumentParser(prog="soak.py")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--prometheus", required=True)
    s.add_argument("--every", type=float, default=15)
    s.add_argument("--gc-every", type=float, default=300)
    s.add_argument("--out", required=True)
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--table", action="append", default=[], metavar="NAME=DIR")
    r = sub.add_parser("report")
    r.add_argument("--samples", required=True)
    r.add_argument("--latency", required=True)
    r.add_argument("--t0-ms", type=int, required=True)
    r.add_argument("--window-minutes", type=int, required=True)
    for n in ("published", "predicted", "distinct", "late"):
        r.add_argument("--" + n, type=int, required=True)
    a = p.parse_args(argv)
    return sample(a) or 0 if a.command == "sample" else report(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
