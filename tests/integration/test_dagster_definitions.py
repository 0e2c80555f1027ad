"""What `dagster dev` loads: one code location with every source, dbt model and check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.environment import DBT_PROJECT_DIR

pytestmark = pytest.mark.integration


def test_dagster_loads_the_code_location() -> None:
    dagster = Path(sys.executable).parent / "dagster"
    completed = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
        env=os.environ.copy(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "All code locations passed validation" in completed.stderr + completed.stdout


def test_asset_graph_has_every_source_model_and_check() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    models = {
        f"{node['schema']}/{node['name']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] in {"model", "seed"}
    }
    assert models <= keys, sorted(models - keys)
    for table in ("regions", "monitoring_lines", "households", "members", "income"):
        assert f"raw/{table}" in keys
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert ("raw/households", "rows_accounted_for") in checks
    assert ("raw/households", "gx_households") in checks
    assert ("marts/mart_county_income_targets", "soda_t2") in checks
    assert ("marts/mart_measure_completeness", "soda_c1") in checks
    dbt_tests = [name for asset, name in checks if name.startswith(("unique_", "not_null_"))]
    assert len(dbt_tests) > 20
    assert defs.resolve_job_def("fangpin_main") is not None
    assert {s.name for s in defs.schedules} >= {"monthly_dispatch"}
    assert {s.name for s in defs.sensors} >= {"landing_sensor"}
