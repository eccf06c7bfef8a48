"""The dashboard in a real Chromium, against a real `pdm serve` (see conftest.py): what a maintenance
team sees and does. Screenshots go to the output folder."""
from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from conftest import get_json, stop

LEVELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW"]


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
    asset = f"{dataset}-test-9001"
    page.goto(server + "/")
    count = page.get_by_test_id("asset-count")
    before = int(count.text_content())
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    page.evaluate("window.pdmNotReloaded = true")
    scorer = pdm.start("score-stream", "--topic", "dashboard", "--dataset", dataset, "--trigger", "1s",
                       "--alerts-topic", "none", "--checkpoint", str(out / "score-stream-checkpoint"))
    try:
        pdm.run("simulate", "--dataset", dataset, "--assets", "1", "--first-unit", "9001", "--seed", "21",
                "--regimes", "1", "--split", "test", "--topic", "dashboard")
        deadline = time.time() + 300
        while asset not in {a["asset_id"] for a in get_json(server + f"/api/v1/assets?dataset={dataset}&limit=10000")["assets"]}:
            assert scorer.poll() is None, f"score-stream stopped (exit {scorer.returncode}; log in {out})"
            assert time.time() < deadline, f"no prediction of {asset} in the server's view within 300 s"
            time.sleep(0.25)
        # the server holds it: the open page shows it within 5 s, without a reload
        expect(count).to_have_text(str(before + 1), timeout=5000)
        assert page.evaluate("window.pdmNotReloaded === true")
        page.screenshot(path=out / "overview-live.png")
    finally:
        stop(scorer)
