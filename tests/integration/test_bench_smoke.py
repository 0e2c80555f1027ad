"""The benchmark runs end to end at its smallest size, so that it cannot rot.

No timing is asserted: speed targets are measured by bench/run.py on a quiet machine and
recorded in docs/performance.md, never by a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

BENCH = Path(__file__).resolve().parents[2] / "bench" / "run.py"
STAGES = [
    "startup (imports, definitions)",
    "ingestion: regions",
    "ingestion: monitoring_lines",
    "ingestion: survey",
    "ingestion: monitoring_episodes",
    "ingestion: measures",
    "GX checks",
    "accounting checks",
    "dbt build",
    "Soda checks",
    "publish",
    "report",
    "total",
]


def test_benchmark_prints_every_stage_and_the_floor_ratio(tmp_path: Path) -> None:
    results = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", "2000", "--data-dir", str(tmp_path),
         "--results-dir", str(results)],
        capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    table = done.stdout
    for stage in STAGES:
        assert any(line.startswith(stage) for line in table.splitlines()), stage
    assert "floor ratio (pipeline / floor):" in table
    assert "marts equal to the pipeline's: yes" in table
    assert "rerun after one county's file changed" in table
    (figures,) = results.glob("*.json")
    run = json.loads(figures.read_text(encoding="utf-8"))["runs"][0]
    assert run["pipeline"]["success"] and run["floor_ratio"] > 0
    assert {s["stage"] for s in run["pipeline"]["stages"]} >= set(STAGES)
    # the full run starts from nothing; the rerun keeps the tables and checks the changed
    # income file cannot have changed, and builds and checks the others again
    full, rerun = run["pipeline"]["kept"], run["rerun"]["kept"]
    assert full["dbt_tables"][0] == full["dbt_tests"][0] == full["gx_checks"][0] == 0
    assert 0 < rerun["dbt_tables"][0] < rerun["dbt_tables"][1]
    assert 0 < rerun["dbt_tests"][0] < rerun["dbt_tests"][1]
    assert 0 < rerun["gx_checks"][0] < rerun["gx_checks"][1]
    assert "kept from the full run: dbt_tables" in table
