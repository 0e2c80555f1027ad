"""The lifecycle and sector-alert contracts (M1, M2, M3, T4, C4 in expectations/soda/) run by real
Soda Core 4 on small warehouses built here, with the column types of the dbt marts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import jsonschema
import pytest
import soda_core.contracts
import yaml

from expectations import contract_path, verify_mart_contract
from expectations.soda_runner import contract_rules, load_contract
from tests.unit.test_soda_contracts import keys

DEC = "DECIMAL(18,2)"
PER_CAPITA = "DECIMAL(18,6)"
SHAPES: dict[str, list[tuple[str, str]]] = {
    "mart_identification_timeliness": [
        ("county_code", "VARCHAR"),
        ("county_name", "VARCHAR"),
        ("city_code", "VARCHAR"),
        ("period_end", "DATE"),
        ("period_label", "VARCHAR"),
        ("episodes_identified", "INTEGER"),
        ("identified_within_limit", "INTEGER"),
        ("late_episodes", "INTEGER"),
        ("rate", "DOUBLE"),
        ("mean_days_to_identify", "DOUBLE"),
        ("max_days_to_identify", "INTEGER"),
        ("identification_days_max", "INTEGER"),
    ],
    "mart_elimination_conformity": [
        ("household_id", "VARCHAR"),
        ("episode_id", "VARCHAR"),
        ("county_code", "VARCHAR"),
        ("city_code", "VARCHAR"),
        ("eliminated_date", "DATE"),
        ("duration_days", "BIGINT"),
        ("survey_year", "INTEGER"),
        ("household_size", "INTEGER"),
        ("net_income", DEC),
        ("per_capita_net_income", PER_CAPITA),
        ("monitoring_line", DEC),
        ("income_ok", "BOOLEAN"),
        ("guarantees_ok", "BOOLEAN"),
        ("duration_ok", "BOOLEAN"),
        ("has_labor", "BOOLEAN"),
        ("social_assistance_running", "BOOLEAN"),
        ("no_labor_on_social_assistance", "BOOLEAN"),
        ("is_conforming", "BOOLEAN"),
        ("failed_conditions", "VARCHAR"),
    ],
    "mart_omissions": [
        ("household_id", "VARCHAR"),
        ("period_end", "DATE"),
        ("year", "INTEGER"),
        ("village_code", "VARCHAR"),
        ("county_code", "VARCHAR"),
        ("city_code", "VARCHAR"),
        ("household_size", "INTEGER"),
        ("net_income", DEC),
        ("per_capita_net_income", PER_CAPITA),
        ("monitoring_line", DEC),
        ("is_alleviated", "BOOLEAN"),
    ],
    "mart_episode_overlaps": [
        ("household_id", "VARCHAR"),
        ("episode_id", "VARCHAR"),
        ("county_code", "VARCHAR"),
        ("risk_found_date", "DATE"),
        ("identified_date", "DATE"),
        ("eliminated_date", "DATE"),
        ("dates_ordered", "BOOLEAN"),
        ("overlaps_earlier_episode", "BOOLEAN"),
        ("overlaps_later_episode", "BOOLEAN"),
        ("violates_m3", "BOOLEAN"),
    ],
    "mart_sector_alerts": [
        ("alert_id", "VARCHAR"),
        ("household_id", "VARCHAR"),
        ("county_code", "VARCHAR"),
        ("department", "VARCHAR"),
        ("department_zh", "VARCHAR"),
        ("risk_type", "VARCHAR"),
        ("alert_date", "DATE"),
        ("trigger_value", DEC),
        ("already_monitored", "BOOLEAN"),
        ("is_raised", "BOOLEAN"),
        ("followed_up", "BOOLEAN"),
        ("as_of_period_end", "DATE"),
        ("overdue", "BOOLEAN"),
    ],
}
LIFECYCLE_MARTS = tuple(SHAPES)
RULES = {
    "mart_identification_timeliness": ["M1"],
    "mart_elimination_conformity": ["M2"],
    "mart_omissions": ["T4"],
    "mart_episode_overlaps": ["M3"],
    "mart_sector_alerts": ["C4"],
}


def make_warehouse(tmp_path: Path, marts: dict[str, list[dict[str, Any]]]) -> Path:
    """warehouse.duckdb with schema marts holding `marts` (marts not given are absent)."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for mart, rows in marts.items():
            columns = SHAPES[mart]
            con.execute(f"create table marts.{mart} ({', '.join(f'{n} {t}' for n, t in columns)})")
            for row in rows:
                con.execute(
                    f"insert into marts.{mart} values ({', '.join('?' for _ in columns)})",
                    [row.get(n) for n, _ in columns],
                )
    return path


def county_quarter(
    county_code: str, identified: int, within: int, period_end: str = "2023-03-31"
) -> dict[str, Any]:
    """A row of mart_identification_timeliness, derived as the dbt model does."""
    return {
        "county_code": county_code,
        "county_name": f"县{county_code}",
        "city_code": county_code[:4],
        "period_end": period_end,
        "period_label": "2023Q1",
        "episodes_identified": identified,
        "identified_within_limit": within,
        "late_episodes": identified - within,
        "rate": within / identified if identified else None,
        "identification_days_max": 15,
    }


def elimination(
    household_id: str,
    *,
    per_capita: float | None = 9000,
    guarantees_ok: bool | None = True,
    duration_days: int = 200,
    no_labor_on_social_assistance: bool | None = False,
) -> dict[str, Any]:
    """A row of mart_elimination_conformity, is_conforming derived as the dbt model does."""
    income_ok = None if per_capita is None else per_capita >= 8000
    duration_ok = duration_days >= 183
    conforming = bool(income_ok and guarantees_ok and duration_ok) and (
        no_labor_on_social_assistance is False
    )
    return {
        "household_id": household_id,
        "episode_id": f"{household_id}:20220601",
        "county_code": "450122",
        "city_code": "4501",
        "eliminated_date": "2023-06-30",
        "duration_days": duration_days,
        "survey_year": None if per_capita is None else 2023,
        "household_size": None if per_capita is None else 2,
        "net_income": None if per_capita is None else per_capita * 2,
        "per_capita_net_income": per_capita,
        "monitoring_line": None if per_capita is None else 8000,
        "income_ok": income_ok,
        "guarantees_ok": guarantees_ok,
        "duration_ok": duration_ok,
        "has_labor": no_labor_on_social_assistance is not True,
        "social_assistance_running": bool(no_labor_on_social_assistance),
        "no_labor_on_social_assistance": no_labor_on_social_assistance,
        "is_conforming": conforming,
    }


def omission(household_id: str, period_end: str = "2023-03-31") -> dict[str, Any]:
    """A row of mart_omissions: below the 2022 line of 7 000 yuan."""
    return {
        "household_id": household_id,
        "period_end": period_end,
        "year": 2022,
        "village_code": "450121001001",
        "county_code": "450121",
        "city_code": "4501",
        "household_size": 2,
        "net_income": 10000,
        "per_capita_net_income": 5000,
        "monitoring_line": 7000,
        "is_alleviated": True,
    }


def episode(
    household_id: str, suffix: str, found: str, eliminated: str | None, **flags: bool
) -> dict[str, Any]:
    """A row of mart_episode_overlaps; flags default to an ordered, non-overlapping episode."""
    row = {
        "household_id": household_id,
        "episode_id": f"{household_id}:{suffix}",
        "county_code": "450121",
        "risk_found_date": found,
        "identified_date": found,
        "eliminated_date": eliminated,
        "dates_ordered": True,
        "overlaps_earlier_episode": False,
        "overlaps_later_episode": False,
        **flags,
    }
    row["violates_m3"] = (
        not row["dates_ordered"] or row["overlaps_earlier_episode"] or row["overlaps_later_episode"]
    )
    return row


def alert(
    household_id: str,
    *,
    already_monitored: bool = False,
    followed_up: bool = False,
    alert_date: str = "2024-03-10",
    as_of: str = "2024-06-30",
) -> dict[str, Any]:
    """A row of mart_sector_alerts, overdue derived as the dbt model does (15 days)."""
    is_raised = not already_monitored
    days = (date.fromisoformat(as_of) - date.fromisoformat(alert_date)).days
    return {
        "alert_id": f"medical:{household_id}:{alert_date[:7]}",
        "household_id": household_id,
        "county_code": "450121",
        "department": "medical",
        "department_zh": "医保",
        "risk_type": "因病",
        "alert_date": alert_date,
        "trigger_value": 10000.01,
        "already_monitored": already_monitored,
        "is_raised": is_raised,
        "followed_up": followed_up,
        "as_of_period_end": as_of,
        "overdue": is_raised and not followed_up and days >= 15,
    }


def planted_alerts() -> list[dict[str, Any]]:
    return [
        alert("H1"),  # raised, not followed up, overdue: C4
        alert("H2", alert_date="2024-06-15"),  # 15 days before the period end: C4
        alert("H3", alert_date="2024-06-16"),  # 14 days: not overdue yet
        alert("H4", followed_up=True),
        alert("H5", already_monitored=True),
    ]


# ---- T4 mart_omissions ---------------------------------------------------------------------


def test_t4_fails_and_lists_every_omitted_household_and_period_end(tmp_path: Path) -> None:
    rows = [omission("H301", "2022-12-31"), omission("H301"), omission("H303", "2022-12-31")]
    db = make_warehouse(tmp_path, {"mart_omissions": rows})
    outcome = verify_mart_contract("mart_omissions", db)
    t4 = outcome.check("T4")
    assert (t4.level, t4.outcome, t4.failed_rows_count) == ("fail", "failed", 3)
    assert t4.key_columns == ["household_id", "period_end"]
    assert keys(outcome, "T4") == [
        ("H301", "2022-12-31"),
        ("H301", "2023-03-31"),
        ("H303", "2022-12-31"),
    ]
    assert outcome.severity == "ERROR"
    assert outcome.errors == []


def test_no_omission_passes_the_contract(tmp_path: Path) -> None:
    db = make_warehouse(tmp_path, {"mart_omissions": []})
    outcome = verify_mart_contract("mart_omissions", db)
    assert outcome.passed, outcome.to_metadata()
    assert outcome.check("T4").failed_rows_count == 0


# ---- C4 mart_sector_alerts -----------------------------------------------------------------


def test_c4_warns_for_raised_alerts_overdue_without_follow_up(tmp_path: Path) -> None:
    db = make_warehouse(tmp_path, {"mart_sector_alerts": planted_alerts()})
    outcome = verify_mart_contract("mart_sector_alerts", db)
    c4 = outcome.check("C4")
    assert (c4.level, c4.outcome, c4.severity, c4.failed_rows_count) == ("warn", "warn", "WARN", 2)
    assert keys(outcome, "C4") == [("medical:H1:2024-03",), ("medical:H2:2024-06",)]
    assert [c.rule for c in outcome.failures] == ["C4"]
    assert outcome.severity == "WARN"


def test_followed_up_and_already_monitored_alerts_pass(tmp_path: Path) -> None:
    rows = [alert("H4", followed_up=True), alert("H5", already_monitored=True)]
    db = make_warehouse(tmp_path, {"mart_sector_alerts": rows})
    outcome = verify_mart_contract("mart_sector_alerts", db)
    assert outcome.passed, outcome.to_metadata()


def test_an_alert_raised_although_monitored_breaks_the_contract(tmp_path: Path) -> None:
    inconsistent = {**alert("H6"), "already_monitored": True}
    db = make_warehouse(
        tmp_path, {"mart_sector_alerts": [alert("H4", followed_up=True), inconsistent]}
    )
    outcome = verify_mart_contract("mart_sector_alerts", db)
    (structural,) = [c for c in outcome.failures if c.rule is None]
    assert structural.check_type == "failed_rows"
    assert structural.failing_keys == [{"alert_id": "medical:H6:2024-03"}]
    assert outcome.severity == "ERROR"


# ---- M1 mart_identification_timeliness ----------------------------------------------------


def test_m1_warns_for_county_quarters_with_a_late_identification(tmp_path: Path) -> None:
    rows = [
        county_quarter("450121", 2, 1),  # day 15 within, day 16 late
        county_quarter("450122", 3, 3),
        county_quarter("450121", 0, 0, period_end="2023-06-30"),
    ]
    db = make_warehouse(tmp_path, {"mart_identification_timeliness": rows})
    outcome = verify_mart_contract("mart_identification_timeliness", db)
    m1 = outcome.check("M1")
    assert (m1.level, m1.outcome, m1.severity, m1.failed_rows_count) == ("warn", "warn", "WARN", 1)
    assert keys(outcome, "M1") == [("450121", "2023-03-31")]
    assert outcome.severity == "WARN"


def test_timeliness_needs_rows(tmp_path: Path) -> None:
    db = make_warehouse(tmp_path, {"mart_identification_timeliness": []})
    outcome = verify_mart_contract("mart_identification_timeliness", db)
    (row_count,) = [c for c in outcome.checks if c.check_type == "row_count"]
    assert row_count.outcome == "failed"
    assert outcome.check("M1").passed


# ---- M2 mart_elimination_conformity --------------------------------------------------------


def test_m2_fails_for_every_non_conforming_elimination(tmp_path: Path) -> None:
    rows = [
        elimination("H201"),
        elimination("H202", per_capita=7999),
        elimination("H203", guarantees_ok=False),
        elimination("H204", duration_days=182),
        elimination("H205", no_labor_on_social_assistance=True),
        elimination("H207", per_capita=None, guarantees_ok=None),
    ]
    db = make_warehouse(tmp_path, {"mart_elimination_conformity": rows})
    outcome = verify_mart_contract("mart_elimination_conformity", db)
    m2 = outcome.check("M2")
    assert (m2.level, m2.outcome, m2.failed_rows_count) == ("fail", "failed", 5)
    assert m2.key_columns == ["household_id", "episode_id"]
    assert [k[0] for k in keys(outcome, "M2")] == ["H202", "H203", "H204", "H205", "H207"]
    assert outcome.severity == "ERROR"


def test_conforming_eliminations_pass(tmp_path: Path) -> None:
    db = make_warehouse(tmp_path, {"mart_elimination_conformity": [elimination("H201")]})
    outcome = verify_mart_contract("mart_elimination_conformity", db)
    assert outcome.passed, outcome.to_metadata()


# ---- M3 mart_episode_overlaps --------------------------------------------------------------


def test_m3_fails_and_names_the_overlapping_episodes(tmp_path: Path) -> None:
    rows = [
        episode("H501", "a", "2022-01-10", "2022-12-01", overlaps_later_episode=True),
        episode("H501", "b", "2022-11-01", None, overlaps_earlier_episode=True),
        episode("H502", "a", "2022-01-10", "2022-08-01"),
        episode("H502", "b", "2022-08-01", None),  # found on the day of the elimination
        episode("H503", "a", "2022-03-10", None, dates_ordered=False),
    ]
    db = make_warehouse(tmp_path, {"mart_episode_overlaps": rows})
    outcome = verify_mart_contract("mart_episode_overlaps", db)
    m3 = outcome.check("M3")
    assert (m3.level, m3.outcome, m3.failed_rows_count) == ("fail", "failed", 3)
    assert keys(outcome, "M3") == [("H501", "H501:a"), ("H501", "H501:b"), ("H503", "H503:a")]
    assert outcome.severity == "ERROR"


def test_ordered_episodes_pass(tmp_path: Path) -> None:
    rows = [
        episode("H502", "a", "2022-01-10", "2022-08-01"),
        episode("H502", "b", "2022-08-01", None),
    ]
    db = make_warehouse(tmp_path, {"mart_episode_overlaps": rows})
    outcome = verify_mart_contract("mart_episode_overlaps", db)
    assert outcome.passed, outcome.to_metadata()


# ---- contracts -----------------------------------------------------------------------------


@pytest.mark.parametrize("mart", LIFECYCLE_MARTS)
def test_lifecycle_contracts_follow_the_soda_contract_json_schema(mart: str) -> None:
    schema_path = (
        Path(soda_core.contracts.__file__).parent / "soda_data_contract_json_schema_1_0_0.json"
    )
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    contract = yaml.safe_load(contract_path(mart).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(contract)] == []
    assert contract["dataset"] == f"fangpin_warehouse/marts/{mart}"


@pytest.mark.parametrize("mart", LIFECYCLE_MARTS)
def test_each_contract_has_one_check_per_rule(mart: str) -> None:
    # the Dagster wiring makes one asset check per rule id it finds here
    assert [rule for rule, _ in contract_rules(load_contract(mart))] == RULES[mart]


def test_a_missing_mart_is_an_error_not_a_pass(tmp_path: Path) -> None:
    db = make_warehouse(tmp_path, {"mart_omissions": []})
    outcome = verify_mart_contract("mart_episode_overlaps", db)
    assert not outcome.passed
    assert outcome.severity == "ERROR"
    assert outcome.check("M3").outcome == "not_evaluated"
