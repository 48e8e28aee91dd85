"""`bench/soak.py`, shortened to 5 seconds: it serves, loads every vendor and the admin API, and reports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SOAK = Path(__file__).parents[1] / "bench" / "soak.py"


def test_a_short_soak_passes_and_reports(tmp_path: Path) -> None:
    report_file = tmp_path / "soak.json"
    run = subprocess.run(
        [sys.executable, str(SOAK), "--seconds", "5", "--warmup", "1", "--json", str(report_file)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(report_file.read_text())
    assert report["failures"] == []
    assert report["requests"] > 50 and sum(report["statuses"].values()) == report["requests"]
    assert report["server_errors"] == 0 and report["response_violations"] == 0
    assert set(report["rss_mb"]) == {"process_start", "start", "middle", "end"}
    assert 0 < report["journal_entries"] <= report["journal_size"]
    assert 0 < report["latency_ms"]["p50"] <= report["latency_ms"]["p99"]
    assert run.stdout.rstrip().endswith("OK") and "5xx: 0" in run.stdout
