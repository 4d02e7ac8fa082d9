"""`kb serve` as a real process on a free port: the same answers as `kb ask --json`."""

import json
import subprocess
import sys
from pathlib import Path

import httpx

KB = str(Path(sys.executable).parent / "kb")


def test_served_assist_equals_kb_ask_json(served):
    query = "星辰金卡年费多少"
    over_http = httpx.post(served.url + "/assist", json={"query": query}, timeout=30).json()
    printed = subprocess.run([KB, "--store", str(served.store), "--json", "ask", query],
                             capture_output=True, text=True, check=True).stdout
    from_cli = json.loads(printed)
    over_http.pop("latency_ms"), from_cli.pop("latency_ms")
    assert over_http == from_cli
    assert over_http["answer"]["status"] == "answered"


def test_served_app_has_the_panel_its_assets_and_metrics(served):
    page = httpx.get(served.url + "/", timeout=10)
    assert page.status_code == 200 and 'id="query"' in page.text
    for asset in ("htmx.min.js", "panel.js", "panel.css"):
        assert httpx.get(f"{served.url}/static/{asset}", timeout=10).status_code == 200
    bad = httpx.post(served.url + "/assist", json={"query": ""}, timeout=10)
    assert bad.status_code == 422 and bad.json()["detail"]
    assert "kb_http_requests_total" in httpx.get(served.url + "/metrics", timeout=10).text
