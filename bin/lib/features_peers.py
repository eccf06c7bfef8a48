"""The single-machine peers of `pdm features` that bin/bench-features measures in the same run.

Each reads the C-MAPSS text that `pdm simulate` wrote, computes per asset, ordered by cycle, the
columns of pdm's default feature set for every informative sensor (value; mean and least-squares
slope over the last 10 and 30 cycles, partial at the start; EWM with alpha 0.2; delta to the
previous cycle; distance to the asset's mean over its first 30 cycles) plus the cycle, writes them
(polars: Parquet, zstd; pandas: not written, it has no Parquet writer without pyarrow), and prints
one JSON line: engine, rows, columns, seconds (read + compute + write, without the interpreter's
start). pdm does more per row (per-regime normalisation, labels, a Delta commit); the figures are
comparable, not equal, work.

    python features_peers.py polars|pandas INPUT_DIR SENSORS [OUTPUT_DIR]

SENSORS: the sensors pdm's fitted feature set kept, comma-separated (gold.feature_sets.sensors),
so that all engines compute the same columns.
"""

import glob
import json
import os
import sys
import time

WINDOWS = (10, 30)
ALPHA = 0.2
BASELINE = 30
SETTINGS = 3
SENSORS = 21


def columns():
    return ["unit", "cycle"] + [f"setting{i}" for i in range(1, SETTINGS + 1)] + [
        f"s{i}" for i in range(1, SENSORS + 1)]


def input_files(path):
    files = sorted(f for f in glob.glob(os.path.join(path, "**", "*"), recursive=True)
                   if os.path.isfile(f) and not os.path.basename(f).startswith(("_", ".")))
    if not files:
        sys.exit(f"features_peers: Cannot read {path}: no files in it (pass the directory simulate wrote)")
    return files


def run_polars(files, sensors, out):
    result = polars_features(files, sensors)
    if out:
        os.makedirs(out, exist_ok=True)
        result.write_parquet(os.path.join(out, "features.parquet"), compression="zstd")
    return result.height, result.width


def polars_features(files, sensors):
    import polars as pl

    frames = [pl.read_csv(f, separator=" ", has_header=False, truncate_ragged_lines=True,
                          new_columns=columns()).select(columns())
              for f in files]
    df = pl.concat(frames).sort(["unit", "cycle"])
    t = pl.col("cycle").cast(pl.Float64)
    exprs = [pl.col("unit"), pl.col("cycle")]
    for s in sensors:
        x = pl.col(s)
        exprs.append(x)
        for w in WINDOWS:
            n = pl.min_horizontal(pl.int_range(pl.len()).over("unit") + 1, w).cast(pl.Float64)
            sx = x.rolling_sum(window_size=w, min_samples=1).over("unit")
            st = t.rolling_sum(window_size=w, min_samples=1).over("unit")
            stt = (t * t).rolling_sum(window_size=w, min_samples=1).over("unit")
            stx = (t * x).rolling_sum(window_size=w, min_samples=1).over("unit")
            exprs.append((sx / n).alias(f"{s}_mean_{w}"))
            exprs.append(((n * stx - st * sx) / (n * stt - st * st)).alias(f"{s}_slope_{w}"))
        exprs.append(x.ewm_mean(alpha=ALPHA, adjust=False).over("unit").alias(f"{s}_ewm"))
        exprs.append(x.diff().over("unit").alias(f"{s}_delta"))
        exprs.append((x - x.filter(pl.col("cycle") <= BASELINE).mean().over("unit")).alias(f"{s}_baseline"))
    return df.select(exprs)


def run_pandas(files, sensors, out):
    result = pandas_features(files, sensors)
    return len(result), result.shape[1]


def pandas_features(files, sensors):
    import numpy as np
    import pandas as pd

    df = pd.concat([pd.read_csv(f, sep=" ", header=None, usecols=range(len(columns())), names=columns())
                    for f in files], ignore_index=True)
    df = df.sort_values(["unit", "cycle"], kind="stable").reset_index(drop=True)
    groups = df.groupby("unit", sort=False)
    pos = groups.cumcount().to_numpy()
    t = df["cycle"].to_numpy(dtype=float)
    # the sums of the windows are differences of each asset's cumulative sums (vectorised, and
    # per asset, so that the sums stay small enough to subtract without losing precision)
    sums = {"t": t, "tt": t * t}
    for s in sensors:
        x = df[s].to_numpy(dtype=float)
        sums[s] = x
        sums[s + "*t"] = x * t
    cum = pd.DataFrame(sums).groupby(df["unit"].to_numpy(), sort=False).cumsum().to_numpy()
    col = {name: i for i, name in enumerate(sums)}

    def rolling_sum(name, w):
        c = cum[:, col[name]]
        before = np.concatenate([np.zeros(w), c[:-w]])
        return np.where(pos >= w, c - before, c)

    out_cols = {"unit": df["unit"], "cycle": df["cycle"]}
    for s in sensors:
        x = sums[s]
        out_cols[s] = x
        for w in WINDOWS:
            n = np.minimum(pos + 1, w).astype(float)
            sx, stx = rolling_sum(s, w), rolling_sum(s + "*t", w)
            st, stt = rolling_sum("t", w), rolling_sum("tt", w)
            out_cols[f"{s}_mean_{w}"] = sx / n
            with np.errstate(invalid="ignore", divide="ignore"):
                out_cols[f"{s}_slope_{w}"] = (n * stx - st * sx) / (n * stt - st * st)
        out_cols[f"{s}_ewm"] = groups[s].transform(lambda v: v.ewm(alpha=ALPHA, adjust=False).mean()).to_numpy()
        out_cols[f"{s}_delta"] = groups[s].diff().to_numpy()
        base = df[s].where(df["cycle"] <= BASELINE).groupby(df["unit"]).transform("mean")
        out_cols[f"{s}_baseline"] = x - base.to_numpy()
    # copy=False: the columns become the frame as they are, not one more copy of ~10 GB at 10M rows
    return pd.DataFrame(out_cols, copy=False)


def main(argv):
    if len(argv) < 4 or argv[1] not in ("polars", "pandas"):
        sys.exit("usage: features_peers.py polars|pandas INPUT_DIR SENSORS [OUTPUT_DIR]")
    engine, files = argv[1], input_files(argv[2])
    sensors = [s for s in argv[3].split(",") if s]
    unknown = [s for s in sensors if s not in columns()[2 + SETTINGS:]]
    if not sensors or unknown:
        sys.exit(f"features_peers: Cannot compute features of sensors {argv[3]!r}: not C-MAPSS sensors "
                 "(pass gold.feature_sets.sensors, e.g. s2,s3,s4)")
    out = argv[4] if len(argv) > 4 else None
    started = time.time()
    rows, width = (run_polars if engine == "polars" else run_pandas)(files, sensors, out)
    print(json.dumps({"engine": engine, "rows": rows, "columns": width,
                      "seconds": round(time.time() - started, 1), "written": engine == "polars" and bool(out)}))


if __name__ == "__main__":
    main(sys.argv)
