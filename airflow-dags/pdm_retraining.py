"""pdm_retraining: daily, land the day's telemetry files, compute features, report drift against the
champion, and retrain when the report says so.

    settings -> new_files -> ingest_files -> features -> drift_report -> decide
        decide -> retrain_features -> train -> promotion_gate -> score_batch -> done
        decide -> skip_retraining -> done

- Every Spark step is a SparkSubmitOperator on the pdm application jar (connection ``spark_default``).
- ``new_files`` skips the run when ``<incoming>/<ds>`` is missing or empty (local or mounted paths).
- ``drift_report`` compares the assets of the day's delivery (``--assets-from``), within
  ``drift_where`` when given, with the champion's reference, and writes ``<report_dir>/<run>.json`` and ``.html``; ``decide`` branches on the JSON's
  top-level ``retrain``.
- On retraining, ``retrain_features`` refits the feature set on every run-to-failure asset
  (``pdm features --full``: new regimes or sensor levels are part of the drift), ``train`` trains and
  registers a challenger, and its promotion gate moves ``champion`` only when the challenger beats the
  champion on the same rows (see README); ``promotion_gate`` reports what the gate decided, and
  ``score_batch`` scores every asset's latest cycle with whichever model is champion.

Settings: DAG params, else Airflow Variables ``pdm_<name>``, else defaults (pdm_settings.SETTINGS); the jar,
the config file and the MLflow server come from Variables only (pdm_settings.VARIABLE_ONLY).
"""
from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, Param, Variable, task

from pdm_settings import describe, champion_version, mlflow_token, resolve, run_params, spark_job, xcom

with DAG(
    dag_id="pdm_retraining",
    description="Ingest new telemetry, report drift against the champion, retrain when it drifted",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5)},
    params={name: Param("", type="string", description=describe(name)) for name in run_params()},
    tags=["pdm", "training", "drift"],
) as dag:

    @task(retries=0)
    def settings(params=None, ds=None, run_id=None) -> dict:
        s = resolve(params or {}, Variable.get)
        s["input"] = f"{s['incoming'].rstrip('/')}/{ds}"
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", f"drift_{s['dataset']}_{ds}_{run_id}")
        s["report_json"] = f"{s['report_dir'].rstrip('/')}/{stem}.json"
        s["report_html"] = f"{s['report_dir'].rstrip('/')}/{stem}.html"
        # The window: the assets of this run's delivery (rerun-stable), within drift_where if given.
        s["where"] = s["drift_where"] or f"dataset = '{s['dataset']}'"
        s["rul_model"] = f"{s['model_prefix']}-{s['dataset']}-rul"
        s["champion_before"] = champion_version(s["mlflow_uri"], s["rul_model"], mlflow_token(Variable.get))
        return s

    @task.short_circuit
    def new_files(ti=None) -> bool:
        path = ti.xcom_pull(task_ids="settings")["input"]
        local = path[len("file:"):] if path.startswith("file:") else None if "://" in path else path
        if local is not None and (not os.path.exists(local) or not os.listdir(local)):
            print(f"No new files at {path}: nothing to ingest, the rest of the run is skipped")
            return False
        return True

    ingest = spark_job("ingest_files", "dev.pdm.ingest.IngestFilesJob",
                       ["--dataset", xcom("dataset"), "--split", xcom("split"), "--input", xcom("input")])
    features = spark_job("features", "dev.pdm.features.FeaturesJob", ["--dataset", xcom("dataset")])
    drift = spark_job("drift_report", "dev.pdm.drift.DriftReportJob",
                      ["--model", xcom("rul_model") + "@champion", "--where", xcom("where"),
                       "--assets-from", xcom("input"), "--out", xcom("report_json"), "--html", xcom("report_html")])

    @task.branch
    def decide(ti=None) -> str:
        s = ti.xcom_pull(task_ids="settings")
        with open(s["report_json"], encoding="utf-8") as f:
            report = json.load(f)
        for reason in report["reasons"]:
            print(("retrain: " if report["retrain"] else "no retrain: ") + reason)
        return "retrain_features" if report["retrain"] else "skip_retraining"

    retrain_features = spark_job("retrain_features", "dev.pdm.features.FeaturesJob",
                                 ["--dataset", xcom("dataset"), "--full"])
    train = spark_job("train", "dev.pdm.training.TrainJob", ["--dataset", xcom("dataset")])

    @task
    def promotion_gate(ti=None) -> dict:
        s = ti.xcom_pull(task_ids="settings")
        after = champion_version(s["mlflow_uri"], s["rul_model"], mlflow_token(Variable.get))
        if after is None:
            raise RuntimeError(f"Cannot read the champion of {s['rul_model']} at {s['mlflow_uri']} after training"
                               " (see the train task's log)")
        moved = after != s["champion_before"]
        print(f"{s['rul_model']}: champion v{s['champion_before']} -> v{after}" if moved
              else f"{s['rul_model']}: the gate kept champion v{after}")
        return {"model": s["rul_model"], "before": s["champion_before"], "after": after, "moved": moved}

    score = spark_job("score_batch", "dev.pdm.scoring.ScoreBatchJob", ["--dataset", xcom("dataset")])
    skip = EmptyOperator(task_id="skip_retraining")
    done = EmptyOperator(task_id="done", trigger_rule="none_failed_min_one_success")

    settings() >> new_files() >> ingest >> features >> drift >> decide() >> [retrain_features, skip]
    retrain_features >> train >> promotion_gate() >> score >> done
    skip >> done
