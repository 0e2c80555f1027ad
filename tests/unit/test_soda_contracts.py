"""The mart contracts (expectations/soda/*.yaml) run by real Soda Core 4 on small warehouses
built here, with the column types of the dbt marts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import jsonschema
import pytest
import soda_core.contracts
import yaml

from expectations import MARTS, ContractOutcome, contract_path, verify_mart_contract

DEC = "DECIMAL(18,2)"
INCOME_TARGET_COLUMNS = [
    ("county_code", "VARCHAR"),
    ("county_name", "VARCHAR"),
    ("city_code", "VARCHAR"),
    ("city_name", "VARCHAR"),
    ("province_code", "VARCHAR"),
    ("key_county_level", "VARCHAR"),
    ("is_key_county", "BOOLEAN"),
    ("year", "INTEGER"),
    ("households_target", "BIGINT"),
    ("households_balanced", "BIGINT"),
    ("per_capita_balanced", DEC),
    ("per_capita_balanced_prev", DEC),
    ("growth_balanced", "DOUBLE"),
    ("per_capita_unbalanced", DEC),
    ("per_capita_unbalanced_prev", DEC),
    ("growth_unbalanced", "DOUBLE"),
    ("city_growth", "DOUBLE"),
    ("city_growth_prev_year", "DOUBLE"),
    ("province_growth", "DOUBLE"),
    ("province_growth_prev_year", "DOUBLE"),
    ("meets_target", "BOOLEAN"),
    ("under_supervision", "BOOLEAN"),
    ("city_meets_trend", "BOOLEAN"),
    ("province_meets_trend", "BOOLEAN"),
    ("rural_growth", "DOUBLE"),
    ("rural_growth_level", "VARCHAR"),
    ("meets_rural_growth", "BOOLEAN"),
]
COMPLETENESS_COLUMNS = [
    ("household_id", "VARCHAR"),
    ("period_end", "DATE"),
    ("village_code", "VARCHAR"),
    ("county_code", "VARCHAR"),
    ("city_code", "VARCHAR"),
    ("episode_id", "VARCHAR"),
    ("category", "VARCHAR"),
    ("risk_types", "VARCHAR"),
    ("identified_date", "DATE"),
    ("labor_survey_year", "INTEGER"),
    ("has_labor", "BOOLEAN"),
    ("running_measures", "INTEGER"),
    ("running_measure_types", "VARCHAR"),
    ("has_running_measure", "BOOLEAN"),
    ("has_targeted_measure", "BOOLEAN"),
    ("is_yidou", "BOOLEAN"),
]


def _ge(a: float | None, b: float | None) -> bool | None:
    return None if a is None or b is None else a >= b


def county_year(
    county_code: str,
    growth: float | None,
    *,
    city_growth: float = 0.12,
    city_growth_prev_year: float = 0.10,
    province_growth: float = 0.11,
    province_growth_prev_year: float = 0.09,
    rural_growth: float | None = None,
    year: int = 2023,
) -> dict[str, Any]:
    """A county's row of mart_county_income_targets, its flags derived as the dbt model does."""
    meets_target = _ge(growth, city_growth_prev_year)
    return {
        "county_code": county_code,
        "county_name": f"县{county_code}",
        "city_code": county_code[:4],
        "city_name": f"市{county_code[:4]}",
        "province_code": county_code[:2],
        "key_county_level": "none",
        "is_key_county": False,
        "year": year,
        "households_target": 120,
        "households_balanced": 100,
        "per_capita_balanced": 11000,
        "per_capita_balanced_prev": 10000,
        "growth_balanced": growth,
        "per_capita_unbalanced": 11100,
        "per_capita_unbalanced_prev": 10050,
        "growth_unbalanced": growth,
        "city_growth": city_growth,
        "city_growth_prev_year": city_growth_prev_year,
        "province_growth": province_growth,
        "province_growth_prev_year": province_growth_prev_year,
        "meets_target": meets_target,
        "under_supervision": meets_target is False,
        "city_meets_trend": _ge(city_growth, city_growth_prev_year),
        "province_meets_trend": _ge(province_growth, province_growth_prev_year),
        "rural_growth": rural_growth,
        "rural_growth_level": None if rural_growth is None else "city",
        "meets_rural_growth": _ge(growth, rural_growth),
    }


def monitored(
    household_id: str,
    measure_types: list[str],
    *,
    targeted: bool,
    has_labor: bool | None = True,
    period_end: str = "2023-12-31",
) -> dict[str, Any]:
    """A household's row of mart_measure_completeness, its flags derived as the dbt model does."""
    running = len(measure_types)
    return {
        "household_id": household_id,
        "period_end": period_end,
        "village_code": "530102001001",
        "county_code": "530102",
        "city_code": "5301",
        "episode_id": f"E-{household_id}",
        "category": "脱贫不稳定户",
        "risk_types": "因病",
        "identified_date": "2023-03-10",
        "labor_survey_year": 2023,
        "has_labor": has_labor,
        "running_measures": running,
        "running_measure_types": "、".join(measure_types) or None,
        "has_running_measure": running > 0,
        "has_targeted_measure": targeted,
        "is_yidou": None
        if has_labor is None
        else has_labor and running > 0 and set(measure_types) == {"综合保障"},
    }


def make_warehouse(
    tmp_path: Path,
    marts: dict[str, list[dict[str, Any]]],
    drop_columns: set[str] = frozenset(),
) -> Path:
    """warehouse.duckdb with schema marts holding `marts` (marts not given are absent)."""
    path = tmp_path / "warehouse.duckdb"
    shapes = {
        "mart_county_income_targets": INCOME_TARGET_COLUMNS,
        "mart_measure_completeness": COMPLETENESS_COLUMNS,
    }
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for mart, rows in marts.items():
            columns = [(n, t) for n, t in shapes[mart] if n not in drop_columns]
            ddl = ", ".join(f"{n} {t}" for n, t in columns)
            con.execute(f"create table marts.{mart} ({ddl})")
            for row in rows:
                con.execute(
                    f"insert into marts.{mart} values ({', '.join('?' for _ in columns)})",
                    [row.get(n) for n, _ in columns],
                )
    return path


def planted_counties() -> list[dict[str, Any]]:
    """City 5301 grew 12 % after 10 %; two of its counties grew less than 10 % (T2), one did not
    report a growth. City 5302 grew 8 % after 10 % (T1 for its county). 530103 also grew less
    than the rural residents (T3)."""
    return [
        county_year("530102", 0.05),
        county_year("530103", 0.08, rural_growth=0.09),
        county_year("530111", 0.15, rural_growth=0.09),
        county_year("530112", None),
        county_year("530202", 0.11, city_growth=0.08),
    ]


def planted_households() -> list[dict[str, Any]]:
    return [
        monitored("HH1", ["健康帮扶", "综合保障"], targeted=True),
        monitored("HH2", [], targeted=False),  # no measure: C1 and C2
        monitored("HH3", ["产业帮扶"], targeted=False),  # nothing for 因病: C2
        monitored("HH4", ["综合保障"], targeted=True),  # has labour, only 兜底: C3
        monitored("HH5", ["综合保障"], targeted=True, has_labor=False),
    ]


def keys(outcome: ContractOutcome, rule: str) -> list[tuple]:
    return [tuple(row.values()) for row in outcome.check(rule).failing_keys]


# ---- mart_county_income_targets -----------------------------------------------------------


def test_t2_fails_and_names_the_counties_below_the_city_growth(tmp_path: Path) -> None:
    db = make_warehouse(tmp_path, {"mart_county_income_targets": planted_counties()})
    outcome = verify_mart_contract("mart_county_income_targets", db)
    t2 = outcome.check("T2")
    assert t2.level == "fail"
    assert t2.outcome == "failed"
    assert not t2.passed
    assert t2.failed_rows_count == 2
    assert t2.key_columns == ["county_code", "year"]
    assert keys(outcome, "T2") == [("530102", 2023), ("530103", 2023)]
    assert not outcome.passed
    assert outcome.severity == "ERROR"
    assert outcome.errors == []


def test_t1_and_t3_warn_and_do_not_fail(tmp_path: Path) -> None:
    db = make_warehouse(tmp_path, {"mart_county_income_targets": planted_counties()})
    outcome = verify_mart_contract("mart_county_income_targets", db)
    t1, t3 = outcome.check("T1"), outcome.check("T3")
    assert (t1.level, t1.outcome, t1.severity) == ("warn", "warn", "WARN")
    assert t1.failed_rows_count == 1
    assert keys(outcome, "T1") == [("530202", 2023)]
    assert (t3.level, t3.outcome, t3.severity) == ("warn", "warn", "WARN")
    assert t3.failed_rows_count == 1
    assert keys(outcome, "T3") == [("530103", 2023)]


def test_unknown_flags_never_count_as_failures(tmp_path: Path) -> None:
    # 530112 has no growth: meets_target, meets_rural_growth are NULL, not false
    db = make_warehouse(tmp_path, {"mart_county_income_targets": planted_counties()})
    outcome = verify_mart_contract("mart_county_income_targets", db)
    assert ("530112", 2023) not in keys(outcome, "T2") + keys(outcome, "T3")


def test_counties_meeting_every_target_pass_the_contract(tmp_path: Path) -> None:
    rows = [county_year("530102", 0.12), county_year("530103", 0.10, rural_growth=0.07)]
    db = make_warehouse(tmp_path, {"mart_county_income_targets": rows})
    outcome = verify_mart_contract("mart_county_income_targets", db)
    assert outcome.passed, outcome.to_metadata()
    assert all(c.outcome == "passed" for c in outcome.checks)
    assert {c.rule for c in outcome.checks} >= {"T1", "T2", "T3"}
    assert outcome.to_metadata()["failing_rows_md"] == ""


def test_only_a_missed_trend_makes_the_contract_a_warning(tmp_path: Path) -> None:
    rows = [county_year("530202", 0.11, city_growth=0.08)]
    db = make_warehouse(tmp_path, {"mart_county_income_targets": rows})
    outcome = verify_mart_contract("mart_county_income_targets", db)
    assert [c.rule for c in outcome.failures] == ["T1"]
    assert not outcome.passed
    assert outcome.severity == "WARN"


def test_a_county_listed_twice_for_a_year_breaks_the_key(tmp_path: Path) -> None:
    rows = [county_year("530102", 0.12), county_year("530102", 0.12), county_year("530103", 0.12)]
    db = make_warehouse(tmp_path, {"mart_county_income_targets": rows})
    outcome = verify_mart_contract("mart_county_income_targets", db)
    (duplicate,) = [c for c in outcome.checks if c.check_type == "duplicate"]
    assert duplicate.outcome == "failed"
    assert duplicate.failing_keys == [
        {"county_code": "530102", "year": 2023},
        {"county_code": "530102", "year": 2023},
    ]


def test_a_missing_required_column_fails_the_schema_check(tmp_path: Path) -> None:
    db = make_warehouse(
        tmp_path,
        {"mart_county_income_targets": planted_counties()},
        drop_columns={"province_growth_prev_year"},
    )
    outcome = verify_mart_contract("mart_county_income_targets", db)
    (schema,) = [c for c in outcome.checks if c.check_type == "schema"]
    assert schema.outcome == "failed"
    assert outcome.severity == "ERROR"


def test_a_missing_mart_is_an_error_not_a_pass(tmp_path: Path) -> None:
    db = make_warehouse(tmp_path, {"mart_measure_completeness": planted_households()})
    outcome = verify_mart_contract("mart_county_income_targets", db)
    assert not outcome.passed
    assert outcome.severity == "ERROR"
    assert outcome.errors
    assert outcome.check("T1").outcome == "not_evaluated"
    assert outcome.check("T1").severity == "ERROR"


# ---- mart_measure_completeness -------------------------------------------------------------


def test_c1_fails_for_a_monitored_household_without_a_running_measure(tmp_path: Path) -> None:
    db = make_warehouse(tmp_path, {"mart_measure_completeness": planted_households()})
    outcome = verify_mart_contract("mart_measure_completeness", db)
    c1 = outcome.check("C1")
    assert (c1.level, c1.outcome, c1.failed_rows_count) == ("fail", "failed", 1)
    assert c1.failing_keys == [{"household_id": "HH2", "period_end": "2023-12-31"}]


def test_c2_fails_for_households_whose_measures_answer_none_of_their_risks(
    tmp_path: Path,
) -> None:
    db = make_warehouse(tmp_path, {"mart_measure_completeness": planted_households()})
    outcome = verify_mart_contract("mart_measure_completeness", db)
    c2 = outcome.check("C2")
    assert (c2.level, c2.outcome, c2.failed_rows_count) == ("fail", "failed", 2)
    assert keys(outcome, "C2") == [("HH2", "2023-12-31"), ("HH3", "2023-12-31")]


def test_c3_yidou_warns_for_labour_households_with_only_social_assistance(
    tmp_path: Path,
) -> None:
    db = make_warehouse(tmp_path, {"mart_measure_completeness": planted_households()})
    outcome = verify_mart_contract("mart_measure_completeness", db)
    c3 = outcome.check("C3")
    assert (c3.level, c3.outcome, c3.severity, c3.failed_rows_count) == ("warn", "warn", "WARN", 1)
    assert keys(outcome, "C3") == [("HH4", "2023-12-31")]
    assert outcome.severity == "ERROR"  # C1 and C2 fail too


def test_completeness_with_only_yidou_is_a_warning(tmp_path: Path) -> None:
    rows = [
        monitored("HH1", ["就业帮扶"], targeted=True),
        monitored("HH4", ["综合保障"], targeted=True),
    ]
    db = make_warehouse(tmp_path, {"mart_measure_completeness": rows})
    outcome = verify_mart_contract("mart_measure_completeness", db)
    assert [c.rule for c in outcome.failures] == ["C3"]
    assert outcome.severity == "WARN"


# ---- contracts, metadata, store handling, telemetry ---------------------------------------


@pytest.mark.parametrize("mart", MARTS)
def test_contracts_follow_the_soda_contract_json_schema(mart: str) -> None:
    schema_path = (
        Path(soda_core.contracts.__file__).parent / "soda_data_contract_json_schema_1_0_0.json"
    )
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    contract = yaml.safe_load(contract_path(mart).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert [e.message for e in validator.iter_errors(contract)] == []
    # soda-duckdb reads the first prefix as the schema (no database prefix)
    assert contract["dataset"] == f"fangpin_warehouse/marts/{mart}"


def test_contract_metadata_is_flat_and_json_serialisable(tmp_path: Path) -> None:
    db = make_warehouse(tmp_path, {"mart_county_income_targets": planted_counties()})
    outcome = verify_mart_contract("mart_county_income_targets", db)
    metadata = outcome.to_metadata()
    assert all(isinstance(v, (str, int, float, bool, type(None))) for v in metadata.values())
    json.dumps(metadata, ensure_ascii=False)
    assert metadata["T2_failed_rows_count"] == 2
    assert metadata["checks_failed"] == 1
    assert metadata["checks_warned"] == 2
    assert (
        "county_code=530102, year=2023; county_code=530103, year=2023"
        in (metadata["failing_rows_md"])
    )
    t2 = outcome.check("T2").to_metadata()
    assert t2["failing_rows_md"].splitlines()[2] == "| 530102 | 2023 |"


def test_the_warehouse_is_opened_read_only_and_closed(tmp_path: Path) -> None:
    db = make_warehouse(tmp_path, {"mart_county_income_targets": planted_counties()})
    # another reader holds the file: Soda or the key listing opening it read-write would be
    # refused in this process
    with duckdb.connect(str(db), read_only=True):
        outcome = verify_mart_contract("mart_county_income_targets", db)
        assert outcome.errors == []
        assert outcome.check("T2").failed_rows_count == 2
    with duckdb.connect(str(db)) as writer:
        writer.execute("create table marts.after_checks (x integer)")


def test_importing_expectations_switches_telemetry_off_even_if_the_shell_turns_it_on() -> None:
    # Soda builds its telemetry singleton when its verify API is imported; with telemetry on it
    # installs an SDK tracer provider exporting to collect.soda.io, with it off none at all
    probe = (
        "import os, expectations.soda_runner\n"
        "from opentelemetry import trace\n"
        "print(os.environ['GX_ANALYTICS_ENABLED'], os.environ['SODA_CORE_TELEMETRY_ENABLED'],\n"
        "      os.environ['DO_NOT_TRACK'], type(trace.get_tracer_provider()).__name__)\n"
    )
    env = {
        **os.environ,
        "SODA_CORE_TELEMETRY_ENABLED": "true",
        "GX_ANALYTICS_ENABLED": "true",
        "DO_NOT_TRACK": "0",
    }
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["false", "false", "1", "ProxyTracerProvider"]
