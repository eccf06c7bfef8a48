"""The dashboard in a real Chromium, against a real `pdm serve` (see conftest.py): what a maintenance
team sees and does. Screenshots go to the output folder."""
from __future__ import annotations

import re
import time
from datetime import datetime

from playwright.sync_api import expect

from conftest import get_json, stop

LEVELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW"]


def instant(iso: str) -> datetime:
    """An ISO-8601 instant of the API (compared as text, "...:50Z" would sort after "...:50.2Z")."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def test_overview_shows_the_warehouse_asset_count(server, page, pdm, out):
    expected = pdm.sql("SELECT count(*) AS n FROM (SELECT DISTINCT dataset, asset_id FROM gold.predictions)")[0]["n"]
    assert expected > 0
    page.goto(server + "/")
    expect(page.get_by_test_id("asset-count")).to_have_text(str(expected))
    # each level's count names its level in words: colour is never the only sign
    shown = 0
    for level in LEVELS:
        card = page.locator(f".count.{level}")
        expect(card).to_contain_text(level)
        shown += int(card.locator("b").text_content())
    assert shown == expected
    page.screenshot(path=out / "overview.png")


def test_an_asset_page_reached_by_keyboard_draws_its_rul_chart(server, page, out):
    page.goto(server + "/")
    link = page.locator("section[aria-labelledby=h-assets] tbody a").first
    asset = link.text_content()
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(asset)
    chart = page.locator("#rul-chart")
    expect(chart).to_have_attribute("data-points", re.compile(r"^[1-9][0-9]*$"))
    assert int(chart.get_attribute("data-points")) >= 2
    drawn = page.evaluate("""() => {
        const c = document.querySelector('#rul-chart canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
    }""")
    assert drawn > 1000, f"the RUL chart's canvas is blank ({drawn} pixels drawn)"
    page.screenshot(path=out / "asset.png")


def test_acknowledging_an_alert_in_the_page_changes_it_in_gold_alerts(server, page, pdm, out):
    page.goto(server + "/alerts?status=open")
    button = page.locator("button[data-change=ack]").first
    expect(button).to_be_visible()
    alert_id = button.get_attribute("data-id")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", alert_id)
    button.click()
    # it leaves the list of open alerts once the server committed the change (a Delta commit: seconds)
    expect(page.locator(f"tr[data-alert='{alert_id}']")).to_have_count(0, timeout=60_000)
    page.screenshot(path=out / "alerts.png")
    rows = pdm.sql(f"SELECT status FROM gold.alerts WHERE alert_id = '{alert_id}'")
    assert [r["status"] for r in rows] == ["acknowledged"]


def test_a_prediction_scored_by_a_running_stream_appears_without_reload(server, page, pdm, out):
    dataset = get_json(server + "/api/v1/assets?limit=1")["datasets"][0]
    known = {a["asset_id"] for a in get_json(server + f"/api/v1/assets?dataset={dataset}&limit=10000")["assets"]}
    unit = next(u for u in range(9001, 10_000) if f"{dataset}-test-{u}" not in known)  # new on a re-run too
    asset = f"{dataset}-test-{unit}"
    page.goto(server + "/")
    count = page.get_by_test_id("asset-count")
    before = int(count.text_content())
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    page.evaluate("window.pdmNotReloaded = true")
    scorer = pdm.start("score-stream", "--topic", "dashboard", "--dataset", dataset, "--trigger", "1s",
                       "--alerts-topic", "none", "--checkpoint", str(out / "score-stream-checkpoint"))
    try:
        pdm.run("simulate", "--dataset", dataset, "--assets", "1", "--first-unit", str(unit), "--seed", "21",
                "--regimes", "1", "--split", "test", "--topic", "dashboard")
        deadline = time.time() + 300
        while count.text_content() != str(before + 1):
            assert scorer.poll() is None, f"score-stream stopped (exit {scorer.returncode}; log in {out})"
            assert time.time() < deadline, f"no prediction of {asset} on the page within 300 s"
            time.sleep(0.1)
        shown = time.time()
        assert page.evaluate("window.pdmNotReloaded === true"), "the page was reloaded"
        page.screenshot(path=out / "overview-live.png")
        # A batch's tables are written side by side and its ops.stream_metrics row after them all: the page
        # may show a prediction before its batch has committed. Let the batch end before stopping the scorer.
        first = min(instant(p["scored_at"]) for p in
                    get_json(server + f"/api/v1/assets/{asset}?dataset={dataset}")["predictions"])
        while not any(s["topic"] == "dashboard" and instant(s["committed_at"]) >= first
                      for s in get_json(server + "/api/v1/streams")["streams"]):
            assert time.time() < deadline, "the batch that scored the asset did not commit"
            time.sleep(0.5)
    finally:
        stop(scorer)
    assert asset in {a["asset_id"] for a in get_json(server + f"/api/v1/assets?dataset={dataset}&limit=10000")["assets"]}
    # within 5 s of the commit of the micro-batch that scored it (ops.stream_metrics.committed_at)
    # (batches run one after another: the first to commit after the asset's first row was scored wrote it)
    committed = pdm.sql("SELECT unix_millis(min(committed_at)) AS t FROM ops.stream_metrics WHERE topic = 'dashboard'"
                        " AND committed_at >= (SELECT min(scored_at) FROM gold.predictions"
                        f" WHERE asset_id = '{asset}')")[0]["t"] / 1000
    print(f"live: {asset} on the page {shown - committed:.1f} s after its batch committed")
    assert shown - committed <= 5, f"the page showed {asset} {shown - committed:.1f} s after its batch committed"

