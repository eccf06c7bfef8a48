"""Loads the registered champions with Python's mlflow.spark.load_model in a PySpark 4.1.0 session
and checks that they score the benchmark's test units exactly as the Java side did.

Usage: check-mlflow-load.py <pdm jar> <warehouse> <dataset> <predictions csv>
Needs MLFLOW_TRACKING_URI. Prints one line per check; exits 1 on a mismatch.
"""
import csv
import json
import os
import sys

import mlflow.artifacts

import mlflow.spark
from pyspark.sql import SparkSession, functions as F

jar, warehouse, dataset, predictions = sys.argv[1:5]
spark = (SparkSession.builder.master("local[2]").appName("pdm-mlflow-load-check")
         .config("spark.jars", jar)  # the application jar carries Delta
         .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
         .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
         .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")

gold = spark.read.format("delta").load(f"{warehouse}/gold/features").where(
    (F.col("dataset") == dataset) & (F.col("split") == "test"))
last = gold.join(gold.groupBy("asset_id").agg(F.max("cycle").alias("cycle")), ["asset_id", "cycle"])

rul = mlflow.spark.load_model(f"models:/pdm-{dataset}-rul@champion")
got = {int(r.asset_id.rsplit("-", 1)[1]): r.prediction
       for r in rul.transform(last).select("asset_id", "prediction").collect()}
with open(predictions) as f:
    want = {int(r["unit"]): float(r["predicted_rul"]) for r in csv.DictReader(f)}
worst = max(abs(got[u] - want[u]) for u in want)
print(f"python rul champion: {len(got)} test units scored, {len(want)} in the Java CSV, "
      f"largest difference {worst:.2e}")
ok = set(got) == set(want) and worst < 1e-5

# the RUL intervals travel with the model's artifacts
local = mlflow.artifacts.download_artifacts(f"models:/pdm-{dataset}-rul@champion")
with open(os.path.join(local, "rul_intervals.json")) as f:
    intervals = json.load(f)
print(f"python rul champion: RUL intervals at level {intervals['level']} in {len(intervals['bands'])} bands")
ok = ok and 0 < intervals["level"] < 1 and len(intervals["bands"]) >= 1

failure = mlflow.spark.load_model(f"models:/pdm-{dataset}-failure@champion")
flagged = failure.transform(last).where(F.col("prediction") == 1.0).count()
print(f"python failure champion: {last.count()} test units scored, {flagged} flagged to fail within the horizon")
sys.exit(0 if ok else 1)
