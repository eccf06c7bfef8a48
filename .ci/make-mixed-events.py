#!/usr/bin/env python3
"""Writes a JSON-lines file of telemetry events: every row of a C-MAPSS file as a valid event,
mixed with malformed, incomplete, out-of-range, non-numeric, exactly duplicated and conflicting
lines. Prints the expected counts as JSON: messages, valid, rejected, duplicates, s2_sum."""
import json
import random
import sys

src, dataset, split, out = sys.argv[1:5]
rng = random.Random(20261122)
names = ["setting1", "setting2", "setting3"] + ["s%d" % i for i in range(1, 22)]
valid = []
s2_sum = 0.0
for line in open(src):
    f = line.split()
    if not f:
        continue
    unit, cycle, vals = int(f[0]), int(f[1]), [float(x) for x in f[2:]]
    ev = {"asset_id": "%s-%s-%d" % (dataset, split, unit), "dataset": dataset, "cycle": cycle,
          "settings": dict(zip(names[:3], vals[:3])), "sensors": dict(zip(names[3:], vals[3:]))}
    valid.append(json.dumps(ev))
    s2_sum += vals[4]

bad = []
for i in range(25):
    bad.append('{"asset_id": "broken-%d", "cycle": %d' % (i, i + 1))                # malformed
for i in range(15):
    bad.append('{"dataset": "%s", "cycle": %d, "sensors": {"s2": 641.0}}' % (dataset, i + 1))  # no asset id
for i in range(15):
    bad.append('{"asset_id": "%s-%s-1", "dataset": "%s", "sensors": {"s2": 641.0}}' % (dataset, split, dataset))  # no time
for i in range(20):
    ev = json.loads(rng.choice(valid)); ev["sensors"]["s3"] = 99999.0
    bad.append(json.dumps(ev))                                                        # out of range
for i in range(20):
    ev = json.loads(rng.choice(valid)); ev["sensors"]["s4"] = "1400.5"
    bad.append(json.dumps(ev))                                                        # non-numeric
for i in range(10):
    ev = json.loads(valid[i * 100]); ev["sensors"]["s2"] = ev["sensors"]["s2"] + 1.0
    bad.append(json.dumps(ev))                                                        # conflicting duplicate
duplicates = [rng.choice(valid) for _ in range(40)]                                   # exact duplicates

# Valid events first in their file order, so the first of a key is the valid one; the rest mixed
# in after, as late resends and garbage arrive.
tail = bad + duplicates
rng.shuffle(tail)
lines = valid[:6000] + tail[: len(tail) // 2] + valid[6000:] + tail[len(tail) // 2:]
with open(out, "w") as f:
    for l in lines:
        f.write(l + "\n")
print(json.dumps({"messages": len(lines), "valid": len(valid), "rejected": len(bad),
                  "duplicates": len(duplicates), "s2_sum": round(s2_sum, 2)}))
