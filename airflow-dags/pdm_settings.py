"""Settings shared by the pdm DAGs: DAG params first, then Airflow Variables ``pdm_<name>``, then defaults.

Every Spark step is a ``SparkSubmitOperator`` on the pdm application jar; its paths and options come
from one ``settings`` task (an XCom dict), so a run shows in one place what it ran with.
"""
from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from typing import Any

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

#: name -> (default, what it is). ``None`` means required: a param or a Variable must give it.
SETTINGS: dict[str, tuple[Any, str]] = {
    "jar": (None, "the pdm application jar (pdm-<version>.jar), a path or URI spark-submit can read"),
    "conf": ("", "pdm config file (.properties) on the Spark driver; empty: pdm's defaults"),
    "warehouse": (None, "warehouse root, a path or URI (s3a://, abfss://, hdfs://, ...)"),
    "dataset": (None, "dataset (fleet) id, e.g. FD001"),
    "incoming": (None, "where new telemetry files arrive; a run ingests <incoming>/<ds>"),
    "split": ("test", "split of the new files: test (field telemetry) or train (ran to failure)"),
    "mlflow_uri": ("http://127.0.0.1:5000", "MLflow tracking server (the registry the champion lives in)"),
    "report_dir": (None, "where drift reports (JSON and HTML) go; a local or mounted path the worker reads"),
    "drift_where": ("", "narrows the drift report's window (SQL on gold.features); the window is always the"
                        " assets of the run's delivery"),
    "model_prefix": ("pdm", "pdm.training.model-name-prefix"),
}

#: Settings a run's params cannot choose, only Airflow Variables (set by whoever administers Airflow):
#: they name the code the job runs, its config, and the MLflow server the DAG sends its token to.
VARIABLE_ONLY = ("jar", "conf", "mlflow_uri")


def run_params() -> list[str]:
    """The settings a DAG run's params may give."""
    return [name for name in SETTINGS if name not in VARIABLE_ONLY]


def describe(name: str) -> str:
    """A param's description. Params default to empty so that a Variable can still supply the value."""
    default, doc = SETTINGS[name]
    return doc + (" (required: this param or Variable pdm_%s)" % name if default is None
                  else "" if default == "" else " (default %s; or Variable pdm_%s)" % (default, name))


def mlflow_token(variable_get) -> str | None:
    """The bearer token for the MLflow server: Variable pdm_mlflow_token, else MLFLOW_TRACKING_TOKEN (as the
    jobs read it); None for a server without authentication. Never put into a task's XCom."""
    return variable_get("pdm_mlflow_token", None) or os.environ.get("MLFLOW_TRACKING_TOKEN") or None


def xcom(name: str) -> str:
    """A template for one resolved setting."""
    return "{{ ti.xcom_pull(task_ids='settings')['%s'] }}" % name


def resolve(params: dict, variable_get, names=None) -> dict:
    """Params, then Variables pdm_<name>, then defaults, of ``names`` (default: all); a missing required
    setting fails with the fix."""
    out: dict[str, Any] = {}
    missing = []
    chosen = [name for name in VARIABLE_ONLY if params.get(name) not in (None, "")]
    if chosen:
        raise ValueError(
            "Cannot run the pdm DAG: " + ", ".join(chosen) + " came as run params, but "
            + ("they are" if len(chosen) > 1 else "it is") + " taken from Airflow Variables only (a run could"
            " otherwise choose the jar, config or MLflow server the job runs with and sends its token to);"
            " set Variables " + ", ".join(f"pdm_{c}" for c in chosen) + " and trigger the run without them")
    for name in names or SETTINGS:
        default = SETTINGS[name][0]
        value = None if name in VARIABLE_ONLY else params.get(name)
        if value in (None, ""):
            value = variable_get(f"pdm_{name}", None)
        if value in (None, ""):
            value = default
        if value is None:
            missing.append(name)
        out[name] = value
    if missing:
        raise ValueError(
            "Cannot run the pdm DAG: no value for " + ", ".join(missing)
            + " (set DAG params, or Airflow Variables " + ", ".join(f"pdm_{m}" for m in missing) + ")")
    return out


def spark_job(task_id: str, java_class: str, args: list[str], **kwargs) -> SparkSubmitOperator:
    """One pdm job on the application jar through the spark_default connection."""
    common = ["--warehouse", xcom("warehouse"), "--set", "pdm.mlflow.tracking-uri=" + xcom("mlflow_uri"),
              "--set", "pdm.training.model-name-prefix=" + xcom("model_prefix")]
    return SparkSubmitOperator(
        task_id=task_id,
        application=xcom("jar"),
        java_class=java_class,
        conn_id="spark_default",
        name=f"pdm-{task_id}",
        application_args=conf_args() + common + args,
        **kwargs,
    )


def conf_args() -> list[str]:
    """--conf <file>, or, without a config file, a repeat of the warehouse setting: a template cannot
    drop list items, so the argument list keeps its shape."""
    s = "ti.xcom_pull(task_ids='settings')"
    return ["{{ '--conf' if %s['conf'] else '--set' }}" % s,
            "{{ %s['conf'] or 'pdm.warehouse=' ~ %s['warehouse'] }}" % (s, s)]


def champion_version(mlflow_uri: str, name: str, token: str | None = None) -> str | None:
    """The version the champion alias of a registered model points at, or None; ``token``: a bearer token
    for a secured server (``mlflow_token``)."""
    query = urllib.parse.urlencode({"name": name, "alias": "champion"})
    request = urllib.request.Request(f"{mlflow_uri}/api/2.0/mlflow/registered-models/alias?{query}",
                                     headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.load(r)["model_version"]["version"]
    except urllib.error.HTTPError as e:
        if e.code in (400, 404):
            return None
        raise
