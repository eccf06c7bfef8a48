"""The dashboard's browser tests run against a real `pdm serve` on a warehouse that already holds
predictions, alerts and work orders (bin/test gives them the demo's). This file starts what they need
through bin/pdm, as a user would: the MLflow server, the Kafka broker and `pdm serve` on a free port,
and stops them at the end.

Environment: PDM_DASHBOARD_WAREHOUSE (required), PDM_DASHBOARD_CONF (a pdm config file; default
conf/pdm-local.properties), PDM_DASHBOARD_OUT (screenshots and logs; default a temp dir),
PDM_CHROMIUM (default /usr/bin/chromium)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

PDM_HOME = Path(__file__).resolve().parents[4]
PDM = str(PDM_HOME / "bin" / "pdm")


def free_port() -> int:
    """A port below the kernel's ephemeral range (bin/lib/free_port.py says why), as bin/ picks them."""
    return int(subprocess.run([sys.executable, str(PDM_HOME / "bin" / "lib" / "free_port.py")], check=True,
                              capture_output=True, text=True).stdout)


class Pdm:
    """bin/pdm on the test's warehouse and config; each call's output goes to a log of its own."""

    def __init__(self, warehouse: str, conf: str, out: Path):
        self.warehouse, self.conf, self.out = warehouse, conf, out
        self.calls = 0

    def args(self, *args: str) -> list[str]:
        return [PDM, *args, "--warehouse", self.warehouse, "--conf", self.conf]

    def log(self, name: str):
        self.calls += 1
        return open(self.out / f"{self.calls:02d}-{name}.log", "w")

    def run(self, *args: str, timeout: float = 300) -> str:
        with self.log(args[0]) as log:
            done = subprocess.run(self.args(*args), stdout=subprocess.PIPE, stderr=log, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"bin/pdm {' '.join(args)} failed with exit {done.returncode}; log in {log.name}")
        return done.stdout

    def start(self, *args: str) -> subprocess.Popen:
        log = self.log(args[0])
        return subprocess.Popen(self.args(*args), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def sql(self, query: str) -> list[dict]:
        """Rows of a Spark SQL query over the warehouse (`pdm sql --format json`: one object a line)."""
        return [json.loads(line) for line in self.run("sql", "--format", "json", query).splitlines() if line.strip()]


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


@pytest.fixture(scope="session")
def out() -> Path:
    path = Path(os.environ.get("PDM_DASHBOARD_OUT") or tempfile.mkdtemp(prefix="pdm-dashboard-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def pdm(out) -> Pdm:
    warehouse = os.environ.get("PDM_DASHBOARD_WAREHOUSE")
    if not warehouse or not Path(warehouse, "gold", "predictions").is_dir():
        pytest.fail(f"Cannot test the dashboard: PDM_DASHBOARD_WAREHOUSE={warehouse!r} is not a warehouse with"
                    " gold.predictions (run bin/pdm demo --small first and point it at the demo's warehouse)")
    conf = os.environ.get("PDM_DASHBOARD_CONF") or str(PDM_HOME / "conf" / "pdm-local.properties")
    return Pdm(warehouse, conf, out)


@pytest.fixture(scope="session")
def services(pdm):
    """MLflow and Kafka, as the demo left them stopped; stopped again at the end."""
    pdm.run("mlflow", "start")
    pdm.run("kafka", "start", "--topics", "dashboard")
    yield
    pdm.run("kafka", "stop")
    pdm.run("mlflow", "stop")


@pytest.fixture(scope="session")
def server(pdm, services) -> str:
    port = free_port()
    proc = pdm.start("serve", "--port", str(port), "--set", "pdm.serve.view-refresh=1s")
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 240
    while True:
        try:
            health = get_json(base + "/api/v1/health")
            if health["predictions_version"] >= 0:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            stop(proc)
            raise AssertionError(f"pdm serve did not come up with its view of gold.predictions (log in {pdm.out})")
        time.sleep(1)
    yield base
    stop(proc)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=os.environ.get("PDM_CHROMIUM", "/usr/bin/chromium"),
                              args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser, out, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()
    assert not errors, f"the page logged errors: {errors}"
