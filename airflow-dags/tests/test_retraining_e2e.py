"""End to end: ``airflow dags test pdm_retraining`` on tiny simulated data, once per branch.

Every Spark step runs the real application jar through ``spark-submit`` of the pip ``pyspark``
package with ``--master local[2]`` (the ``spark_default`` connection), against a local MLflow server
and a Delta warehouse in a temporary directory; settings come from Airflow Variables.

1. A champion is trained on 16 simulated engines (one operating regime, one fault mode).
2. Day 2 delivers 8 engines that ran to failure in six operating regimes with a second fault mode:
   the report says retrain, the DAG refits the features, trains, the gate promotes the challenger
   (``champion`` moves), and score-batch scores every asset with it.
3. A day without a delivery skips the run after ``new_files``.

The no-drift branch is not run here: that a fleet like the reference does not drift is
DriftReportJobTest's, and that ``decide`` then takes ``skip_retraining`` to ``done`` is test_dags'
(a run of it cost about 8 minutes of CI for three spark-submits that the drift branch runs too).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PDM = str(REPO / "bin" / "pdm")
VENV_BIN = str(Path(sys.executable).parent)


def free_port() -> int:
    """A port below the kernel's ephemeral range (bin/lib/free_port.py says why), as bin/ picks them."""
    return int(subprocess.run([sys.executable, str(REPO / "bin" / "lib" / "free_port.py")], check=True,
                              capture_output=True, text=True).stdout)


def run(cmd, env=None, timeout=1200) -> str:
    p = subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {p.returncode}\n--- stdout\n{p.stdout[-4000:]}"
                             f"\n--- stderr\n{p.stderr[-6000:]}")
    return p.stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = tmp_path_factory.mktemp("airflow-e2e")
    mlflow_uri = f"http://127.0.0.1:{free_port()}"
    conf = work / "pdm.properties"
    conf.write_text("\n".join([
        f"pdm.warehouse={work / 'warehouse'}",
        f"pdm.mlflow.tracking-uri={mlflow_uri}",
        "pdm.training.cv-folds=3",
        "pdm.training.grid.max-depth=3",
        "pdm.training.grid.max-iter=10",
        "pdm.training.grid.step-size=0.3",
        "pdm.training.grid.subsampling-rate=1.0",
    ]) + "\n")
    env = dict(os.environ, PDM_SHUFFLE_PARTITIONS="2", PDM_DRIVER_MEMORY="2g")
    pdm = lambda *args: run([PDM, *args, "--conf", conf], env=env)  # noqa: E731
    jar = run([PDM, "build"], env=env).strip()
    pdm("mlflow", "start")
    try:
        incoming = work / "incoming"
        pdm("simulate", "--dataset", "SIM", "--assets", "16", "--regimes", "1", "--seed", "1",
            "--output", work / "t0")
        pdm("ingest-files", "--dataset", "SIM", "--split", "train", "--input", work / "t0")
        pdm("features", "--dataset", "SIM")
        pdm("train", "--dataset", "SIM")
        # Day 2: engines that ran to failure in six regimes, with a second fault mode.
        pdm("simulate", "--dataset", "SIM", "--assets", "8", "--regimes", "6", "--fault-modes", "2", "--seed", "3",
            "--first-unit", "101", "--output", incoming / "2026-01-02")

        spark_conf = work / "spark-conf"
        spark_conf.mkdir()
        (spark_conf / "spark-defaults.conf").write_text("\n".join([
            "spark.sql.shuffle.partitions 2",
            "spark.databricks.delta.snapshotPartitions 2",
            "spark.ui.enabled false",
            "spark.driver.memory 2g",
            # bin/test's PDM_JAVA_OPTS (bin/pdm reads it) for the spark-submit JVMs too
            f"spark.driver.extraJavaOptions -Dlog4j2.configurationFile={REPO / 'conf' / 'log4j2.properties'}"
            f" {os.environ.get('PDM_JAVA_OPTS', '')}",
        ]) + "\n")
        airflow_env = dict(
            env,
            PATH=VENV_BIN + os.pathsep + env["PATH"],  # spark-submit of the pip pyspark package
            SPARK_CONF_DIR=str(spark_conf),
            AIRFLOW_HOME=str(work / "airflow"),
            AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "airflow-dags"),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW_CONN_SPARK_DEFAULT=json.dumps({"conn_type": "spark", "host": "local[2]"}),
            AIRFLOW_VAR_PDM_JAR=jar,
            AIRFLOW_VAR_PDM_CONF=str(conf),
            AIRFLOW_VAR_PDM_WAREHOUSE=str(work / "warehouse"),
            AIRFLOW_VAR_PDM_DATASET="SIM",
            AIRFLOW_VAR_PDM_INCOMING=str(incoming),
            AIRFLOW_VAR_PDM_MLFLOW_URI=mlflow_uri,
            AIRFLOW_VAR_PDM_REPORT_DIR=str(work / "reports"),
        )
        run([Path(VENV_BIN) / "airflow", "db", "migrate"], env=airflow_env)
        yield {"work": work, "conf": conf, "env": env, "airflow_env": airflow_env, "mlflow": mlflow_uri,
               "pdm": pdm}
    finally:
        run([PDM, "mlflow", "stop", "--conf", conf], env=env)


def champion(world) -> str:
    query = urllib.parse.urlencode({"name": "pdm-SIM-rul", "alias": "champion"})
    with urllib.request.urlopen(f"{world['mlflow']}/api/2.0/mlflow/registered-models/alias?{query}") as r:
        return json.load(r)["model_version"]["version"]


def json_lines(out: str):
    """The JSON an airflow command printed (its warnings share stdout)."""
    return json.loads(next(line for line in out.splitlines() if line.startswith(("[", "{"))))


def dags_test(world, day: str, split: str) -> dict:
    """Runs the DAG for one day; returns {task_id: state} of that run."""
    airflow = Path(VENV_BIN) / "airflow"
    env = world["airflow_env"]
    run([airflow, "dags", "test", "pdm_retraining", day, "-c", json.dumps({"split": split})], env=env, timeout=2400)
    runs = json_lines(run([airflow, "dags", "list-runs", "pdm_retraining", "-o", "json"], env=env))
    run_id = next(r["run_id"] for r in runs if r["logical_date"].startswith(day))
    states = json_lines(run([airflow, "tasks", "states-for-dag-run", "pdm_retraining", run_id, "-o", "json"],
                            env=env))
    return {s["task_id"]: s["state"] for s in states}


def report(world, day: str) -> dict:
    files = sorted((world["work"] / "reports").glob(f"drift_SIM_{day}_*.json"))
    assert len(files) == 1, files
    html = files[0].with_suffix(".html")
    assert html.exists() and "report-data" in html.read_text()
    return json.loads(files[0].read_text())


def test_drift_retrains_and_moves_the_champion(world):
    before = champion(world)
    states = dags_test(world, "2026-01-02", "train")
    assert states["decide"] == "success"
    assert states["skip_retraining"] == "skipped"
    for t in ("retrain_features", "train", "promotion_gate", "score_batch", "done"):
        assert states[t] == "success", (t, states)
    r = report(world, "2026-01-02")
    assert r["retrain"] is True, r["reasons"]
    assert r["drifted_share"] >= 0.3, r["reasons"]
    after = champion(world)
    assert int(after) > int(before), (before, after)
    latest = world["pdm"]("sql", "--format", "csv",
                          "SELECT count(DISTINCT asset_id), min(rul_model_version), max(rul_model_version)"
                          " FROM gold.predictions WHERE dataset = 'SIM'").strip().splitlines()[-1]
    assert latest == f"24,{after},{after}", latest  # the 16 engines of the first champion and day 2's 8


def test_a_day_without_files_skips_the_run(world):
    states = dags_test(world, "2026-01-05", "test")
    assert states["new_files"] == "success"
    assert {states[t] for t in ("ingest_files", "features", "drift_report", "train", "done")} == {"skipped"}
