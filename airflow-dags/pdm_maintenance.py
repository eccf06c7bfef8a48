"""pdm_maintenance: daily, compact and vacuum the warehouse's tables.

One SparkSubmitOperator runs ``maintain`` (dev.pdm.common.table.MaintainJob) on the pdm jar: ``OPTIMIZE``
of every table (the small files each micro-batch and merge adds become a few large ones), then
``VACUUM`` keeping the files of the last ``retain_hours`` of table versions. It is safe beside a
running scorer (a compaction that loses a race with a merge is run again). Settings as in
pdm_retraining (params, Variables ``pdm_<name>``, defaults).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, Param, Variable, task

from pdm_settings import describe, resolve, run_params, spark_job, xcom

with DAG(
    dag_id="pdm_maintenance",
    description="Compact (OPTIMIZE) and VACUUM the pdm warehouse's tables",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=10)},
    params={**{name: Param("", type="string", description=describe(name))
               for name in run_params() if name in ("warehouse", "model_prefix")},
            "retain_hours": Param(168, type="integer", minimum=0,
                                  description="VACUUM keeps the files of table versions this recent")},
    tags=["pdm", "maintenance"],
) as dag:

    @task(retries=0)
    def settings(params=None) -> dict:
        s = resolve(params, Variable.get, ["jar", "conf", "warehouse", "mlflow_uri", "model_prefix"])
        s["retain_hours"] = str(params["retain_hours"])
        return s

    maintain = spark_job("maintain", "dev.pdm.common.table.MaintainJob", ["--retain-hours", xcom("retain_hours")])

    settings() >> maintain
