"""pytest set-up for the DAG tests: a throwaway AIRFLOW_HOME, no example DAGs, the DAG folder importable
(Airflow puts its DAG folder on sys.path; so do these tests)."""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

DAGS = Path(__file__).resolve().parents[1]
if "AIRFLOW_HOME" not in os.environ:
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="pdm-airflow-home-")
    # ours alone: every test run made one and left it behind
    atexit.register(shutil.rmtree, os.environ["AIRFLOW_HOME"], ignore_errors=True)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS)
sys.path.insert(0, str(DAGS))
