"""The whole pipeline, in-process through Dagster, on a generated landing area + a planted city."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.integration import planted

pytestmark = pytest.mark.integration

MARTS = [
    "fct_household_annual_income",
    "mart_county_income_targets",
    "mart_measure_completeness",
]


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def one(db: Path, sql: str, params: list | None = None) -> tuple:
    rows = query(db, sql, params)
    assert len(rows) == 1, f"expected one row, got {rows}"
    return rows[0]


def mart_digest(warehouse: Path) -> dict[str, str]:
    """A checksum of each assessment mart, sorted, as an analyst would export it."""
    digests = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for mart in MARTS:
            rows = con.execute(f"select * from marts.{mart} order by all").fetchall()
            digests[mart] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def test_every_file_is_accounted_for(run) -> None:
    restricted = run.out_dir / "restricted.duckdb"
    unbalanced = query(
        restricted,
        "select file, sheet from audit.ingest_ledger "
        "where rows_read <> rows_loaded + rows_quarantined",
    )
    assert unbalanced == []
    loaded, quarantined = one(
        restricted,
        "select sum(rows_loaded), sum(rows_quarantined) from audit.ingest_ledger "
        "where source = 'households'",
    )
    assert loaded == one(restricted, "select count(*) from raw.households")[0]
    assert (
        quarantined
        == one(restricted, "select count(*) from audit.quarantine where source = 'households'")[0]
    )


def test_injected_bad_rows_are_quarantined_with_reasons(run) -> None:
    restricted = run.out_dir / "restricted.duckdb"
    rows = query(
        restricted,
        "select file, row_number, column_name, reason_zh, reason_en from audit.quarantine",
    )
    assert len(rows) > 0
    for file, row_number, column, reason_zh, reason_en in rows:
        assert file and row_number >= 2 and column and reason_zh and reason_en


def test_planted_income_decrease_below_line_and_low_income(run) -> None:
    warehouse = run.out_dir / "warehouse.duckdb"
    row = one(
        warehouse,
        """
        select household_size, net_income, per_capita_net_income, monitoring_line,
               in_target_population, is_below_line, is_income_decrease, is_low_income_focus,
               county_code
        from marts.fct_household_annual_income where household_id = ? and year = 2023
        """,
        [planted.B2],
    )
    assert row == (1, Decimal("5000.00"), Decimal("5000.00"), Decimal("8050.00"), True, True,
                   True, True, planted.COUNTY_B)  # fmt: skip
    first_year = one(
        warehouse,
        "select is_income_decrease from marts.fct_household_annual_income "
        "where household_id = ? and year = 2021",
        [planted.B2],
    )
    assert first_year == (None,)
    a1 = one(
        warehouse,
        "select per_capita_net_income, is_below_line, is_income_decrease, is_low_income_focus "
        "from marts.fct_household_annual_income where household_id = ? and year = 2023",
        [planted.A1],
    )
    assert a1 == (Decimal("11500.00"), False, False, False)


def test_planted_county_fails_t2_and_is_under_supervision(run) -> None:
    warehouse = run.out_dir / "warehouse.duckdb"
    rows = query(
        warehouse,
        """
        select county_code, households_balanced, per_capita_balanced, per_capita_balanced_prev,
               growth_balanced, city_growth_prev_year, meets_target, under_supervision
        from marts.mart_county_income_targets
        where year = 2023 and city_code = ? order by county_code
        """,
        [planted.CITY[:4]],
    )
    assert len(rows) == 2
    a, b = rows
    assert a[:4] == (planted.COUNTY_A, 2, Decimal("11500"), Decimal("11000"))
    assert float(a[4]) == pytest.approx(11_500 / 11_000 - 1)
    assert float(a[5]) == pytest.approx(0.10)
    assert a[6:] == (False, True)
    assert b[:4] == (planted.COUNTY_B, 2, Decimal("12200"), Decimal("10120"))
    assert float(b[4]) == pytest.approx(61_000 / 50_600 - 1)
    assert b[6:] == (True, False)
    city_growth, city_trend = one(
        warehouse,
        "select distinct city_growth, city_meets_trend from marts.mart_county_income_targets "
        "where year = 2023 and city_code = ?",
        [planted.CITY[:4]],
    )
    assert float(city_growth) == pytest.approx(118_500 / 105_600 - 1)
    assert city_trend is True


def test_planted_measure_gaps_at_year_end(run) -> None:
    warehouse = run.out_dir / "warehouse.duckdb"
    rows = query(
        warehouse,
        """
        select household_id, has_labor, running_measures, has_running_measure,
               has_targeted_measure, is_yidou
        from marts.mart_measure_completeness
        where period_end = date '2023-12-31' and household_id in (?, ?, ?)
        order by household_id
        """,
        [planted.A1, planted.A2, planted.B2],
    )
    assert rows == [
        (planted.A1, True, 1, True, False, False),
        (planted.A2, True, 0, False, False, False),
        (planted.B2, True, 1, True, True, True),
    ]


def test_business_checks_report_findings_without_failing_the_run(run) -> None:
    by_name = {(c.asset.split("/")[-1], c.check): c for c in run.checks}
    names = {name for _, name in by_name}
    assert any("t2" in name.lower() for name in names), names
    t2 = next(c for (asset, name), c in by_name.items() if "t2" in name.lower())
    assert t2.passed is False and t2.severity == "ERROR" and t2.failed_rows >= 1
    c1 = next(c for (asset, name), c in by_name.items() if "c1" in name.lower())
    assert c1.passed is False and c1.failed_rows >= 1
    c3 = next(c for (asset, name), c in by_name.items() if "c3" in name.lower())
    assert c3.severity == "WARN"
    assert any(name.startswith("gx_") for name in names), names


def test_views_of_the_published_warehouse_read_it_under_any_name(run, tmp_path: Path) -> None:
    # the warehouse's views (dim_member, int_sector_records_unioned) read tables of their own
    # file, whatever name an analyst gives it, without the restricted store
    published = run.out_dir / "published" / "warehouse.duckdb"
    copy = tmp_path / "analyst_copy.duckdb"
    copy.write_bytes(published.read_bytes())
    with duckdb.connect() as con:
        con.execute(f"attach '{copy}' as mine (read_only)")
        views = con.execute(
            "select schema_name, view_name from duckdb_views() "
            "where database_name = 'mine' and not internal order by all"
        ).fetchall()
        assert ("intermediate", "int_sector_records_unioned") in views
        assert ("marts", "dim_member") in views
        for schema, view in views:
            rows = con.execute(f'select count(*) from mine."{schema}"."{view}"').fetchone()[0]
            assert rows > 0, (schema, view)


def test_rerun_on_same_files_leaves_identical_marts(run, landing, pipeline_runner) -> None:
    from orchestration.resources import FangpinPaths

    before = mart_digest(run.out_dir / "warehouse.duckdb")
    again = pipeline_runner(landing, run.out_dir)
    assert again.success, again.summary_text
    assert mart_digest(run.out_dir / "warehouse.duckdb") == before
    # dbt's artifacts stay beside the stores, and the rerun reused dbt's parse of the project
    target = FangpinPaths(landing_dir="", out_dir=str(run.out_dir)).dbt_target_dir
    assert json.loads((target / "run_results.json").read_text())["results"]
    assert _dbt_parse(target) in ("PartialParsingEnabled", "PartialParsingSkipParsing")


def _dbt_parse(target: Path) -> str | None:
    """How the last dbt invocation logging into `target` parsed the project: the dbt event."""
    parse_events = {"UnableToPartialParse", "PartialParsingEnabled", "PartialParsingSkipParsing"}
    last = None
    for log in sorted(target.glob("dbt.log*"), key=lambda p: p.stat().st_mtime):
        for line in log.read_text(encoding="utf-8").splitlines():
            name = json.loads(line)["info"]["name"]
            if name == "MainReportVersion":  # an invocation starts
                last = None
            elif name in parse_events:
                last = name
    return last


def test_salt_is_written_nowhere(run) -> None:
    from orchestration.environment import DBT_PROJECT_DIR, DEMO_SALT

    salt = DEMO_SALT.encode()
    places = [run.out_dir, DBT_PROJECT_DIR / "target", DBT_PROJECT_DIR / "logs"]
    leaks = [
        path
        for place in places
        if place.exists()
        for path in place.rglob("*")
        if path.is_file() and salt in path.read_bytes()
    ]
    assert leaks == []
