"""pdm_stream_health: every 15 minutes, check that the stream scorer is alive and making progress.

One SparkSubmitOperator runs ``stream-health`` (dev.pdm.scoring.StreamHealthJob) on the pdm jar: it reads
``ops.stream_metrics`` and exits 1, failing the task (and so alerting through Airflow's usual
callbacks or e-mail), when ``score-stream`` has committed no micro-batch in the last
``max_age_minutes``. Settings as in pdm_retraining (params, Variables ``pdm_<name>``, defaults).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, Param, Variable, task

from pdm_settings import describe, resolve, run_params, spark_job, xcom

with DAG(
    dag_id="pdm_stream_health",
    description="Fail when the stream scorer has committed nothing recently (ops.stream_metrics)",
    schedule=timedelta(minutes=15),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=14),
    params={**{name: Param("", type="string", description=describe(name)) for name in run_params()},
            "max_age_minutes": Param(15, type="integer", minimum=1,
                                     description="the latest scoring batch must be newer than this")},
    tags=["pdm", "scoring", "monitoring"],
) as dag:

    @task(retries=0)
    def settings(params=None) -> dict:
        s = resolve(params, Variable.get, ["jar", "conf", "warehouse", "dataset", "mlflow_uri", "model_prefix"])
        s["max_age_minutes"] = str(params["max_age_minutes"])
        return s

    check = spark_job("stream_health", "dev.pdm.scoring.StreamHealthJob",
                      ["--job", "score-stream", "--dataset", xcom("dataset"),
                       "--max-age-minutes", xcom("max_age_minutes")])

    settings() >> check
