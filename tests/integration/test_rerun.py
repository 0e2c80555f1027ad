"""A rerun after one county re-delivered a file: it keeps what that file cannot have changed
(ingestion batches, GX outcomes, dbt tables and test outcomes) and leaves exactly the stores
and outcomes of a fresh run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.environment import (
    DBT_PROJECT_DIR,
    DEMO_SALT,
    ENV_RESTRICTED,
    ENV_SALT,
    ENV_WAREHOUSE,
)
from tests.unit.test_ingest_batches import change_first_figure

pytestmark = pytest.mark.integration


def tables(db: Path, skip: set[str]) -> dict[str, list[tuple]]:
    """Every base table of a DuckDB file but `skip`, its rows sorted."""
    with duckdb.connect(str(db), read_only=True) as con:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' order by all"
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f'select * from "{s}"."{t}" order by all').fetchall()
            for s, t in names
            if f"{s}.{t}" not in skip
        }


def built_at(warehouse: Path) -> dict[str, object]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select model, built_at from main.model_builds").fetchall())


def last_tested(warehouse: Path) -> dict[str, object]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select test, tested_at from main.test_results").fetchall())


def dbt_test_outcomes(out: Path) -> dict[str, tuple]:
    """Each dbt data test's status and failures in the last build of `out`."""
    results = json.loads((out / "dbt-target" / "run_results.json").read_text())["results"]
    return {
        r["unique_id"]: (r["status"], r["failures"])
        for r in results
        if r["unique_id"].startswith("test.")
    }


def reads_income(manifest: dict, unique_id: str) -> bool:
    """True when a model reads the raw income table, directly or through other models."""
    if unique_id.startswith("source."):
        return manifest["sources"][unique_id]["identifier"] == "income"
    node = manifest["nodes"].get(unique_id)
    return node is not None and any(
        reads_income(manifest, d) for d in node["depends_on"].get("nodes", [])
    )


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_rerun_after_one_income_file_changed_equals_a_fresh_run(
    run, landing: Path, pipeline_runner, tmp_path: Path
) -> None:
    changed_landing, out = tmp_path / "landing", tmp_path / "out"
    shutil.copytree(landing, changed_landing)
    shutil.copytree(run.out_dir, out)
    builds_before = built_at(out / "warehouse.duckdb")
    tests_before = last_tested(out / "warehouse.duckdb")
    checks = out / "restricted-checks"
    validated = {p.stem: json.loads(p.read_text())["validated_at"] for p in checks.glob("*.json")}

    year = sorted(p.name for p in (changed_landing / "survey").iterdir())[-1]
    # a county whose income file is UTF-8 CSV (the mixed landing area also has workbooks and
    # GB18030 files)
    income = next(
        p for p in sorted((changed_landing / "survey" / year).glob("*/income.csv")) if _is_utf8(p)
    )
    change_first_figure(income)

    rerun = pipeline_runner(changed_landing, out)
    assert rerun.success, rerun.summary_text
    fresh = pipeline_runner(changed_landing, tmp_path / "fresh")
    assert fresh.success, fresh.summary_text

    # the same stores as a run from nothing, but for the load times and build records
    for name, skip in (
        ("restricted.duckdb", {"audit.ingest_batches", "audit.ingest_ledger", "audit.raw_digests"}),
        ("warehouse.duckdb", {"main.model_builds", "main.test_results"}),
    ):
        assert tables(out / name, skip) == tables(tmp_path / "fresh" / name, skip), name

    # the tables that do not read income were kept; those that do were built again
    manifest = json.loads((out / "dbt-target" / "manifest.json").read_text())
    builds_after = built_at(out / "warehouse.duckdb")
    assert builds_after.keys() == builds_before.keys()
    rebuilt = {m for m in builds_after if builds_after[m] != builds_before[m]}
    assert rebuilt == {m for m in builds_after if reads_income(manifest, m)}
    assert len(rebuilt) < len(builds_after)
    # the data tests that read income ran again, the others report their stored outcome; all
    # as in the fresh run
    tests_after = last_tested(out / "warehouse.duckdb")
    assert tests_after.keys() == tests_before.keys()
    retested = {t for t in tests_after if tests_after[t] != tests_before[t]}
    assert retested == {t for t in tests_after if reads_income(manifest, t)}
    assert 0 < len(retested) < len(tests_after)
    assert dbt_test_outcomes(out) == dbt_test_outcomes(tmp_path / "fresh")

    # the GX landing checks ran again on income only
    again = {p.stem: json.loads(p.read_text())["validated_at"] for p in checks.glob("*.json")}
    assert again.keys() == validated.keys()
    assert {t for t in again if again[t] != validated[t]} == {"income"}


def dbt_test(out: Path, select: str) -> int:
    """`dbt test --select <select>` on the stores of `out`; its exit code."""
    env = {
        **os.environ,
        ENV_SALT: DEMO_SALT,
        ENV_WAREHOUSE: str(out / "warehouse.duckdb"),
        ENV_RESTRICTED: str(out / "restricted.duckdb"),
    }
    dbt = Path(sys.executable).parent / "dbt"
    return subprocess.run(
        [str(dbt), "test", "--select", select, "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(out / "dbt-target")],
        env=env, capture_output=True, check=False,
    ).returncode  # fmt: skip


def test_outcomes_are_recorded_for_tests_that_ran_and_dropped_for_tests_that_failed_to(
    run, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(run.out_dir, out)
    warehouse = out / "warehouse.duckdb"
    manifest = json.loads((out / "dbt-target" / "manifest.json").read_text())
    model = "model.fangpin.mart_omissions"
    test = next(
        uid
        for uid, node in sorted(manifest["nodes"].items())
        if uid.startswith("test.") and node["depends_on"]["nodes"] == [model]
    )
    name = manifest["nodes"][test]["name"]

    def record() -> tuple | None:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(
                "select test_key, failures, tested_at from main.test_results where test = ?",
                [test],
            ).fetchall()
        return rows[0] if rows else None

    def new_build_key(key: str) -> None:
        with duckdb.connect(str(warehouse)) as con:
            con.execute("update main.model_builds set build_key = ? where model = ?", [key, model])

    first = record()
    assert first is not None
    # same inputs: kept, its record as it was
    assert dbt_test(out, name) == 0
    assert record() == first
    # the table it reads has another build key: it runs, and its record is written at the end
    new_build_key("another")
    assert dbt_test(out, name) == 0
    again = record()
    assert again is not None and again[0] != first[0] and again[1] == first[1]
    assert again[2] > first[2]
    # it runs again and ends in an error (its table is gone): its record is dropped
    new_build_key("yet another")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts.mart_omissions")
    assert dbt_test(out, name) != 0
    assert record() is None
