"""The landing suites (expectations/gx/*.yaml) run by real Great Expectations on small raw
tables built here, with the column types docs/architecture.md gives the raw store."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from expectations import (
    LANDING_TABLES,
    SuiteOutcome,
    build_suite,
    load_suite_spec,
    run_landing_checks,
    run_landing_sql_checks,
    run_landing_suite,
)
from expectations.references import load_sources, seed_column
from ingestion.idnumber import check_character

# sources.yaml type → raw column type (docs/architecture.md)
SQL_TYPES = {
    "digits": "VARCHAR",
    "string": "VARCHAR",
    "enum": "VARCHAR",
    "enum_list": "VARCHAR",
    "id_number": "VARCHAR",
    "integer": "INTEGER",
    "decimal": "DECIMAL(18,2)",
    "rate": "DECIMAL(18,6)",
    "date": "DATE",
    "bool": "BOOLEAN",
}
PATH_TABLES = {"households", "members", "income", "monitoring_episodes", "measures"}


def id_number(birth: str, seq: int, county: str = "530102") -> str:
    first17 = f"{county}{birth}{seq:03d}"
    return first17 + check_character(first17)


HEAD_1 = id_number("19700312", 11)


def clean_rows() -> dict[str, list[dict[str, Any]]]:
    """A county with two surveyed, monitored and assisted households: valid everywhere."""
    survey = {"year": 2023, "county_code": "530102"}
    member = {
        **survey,
        "health": "健康",
        "labor": "普通劳动力",
        "schooling": "非在校生",
        "work_area": "县内",
        "work_months": 6,
        "medical_insured": True,
    }
    household = {
        **survey,
        "village_code": "530102001001",
        "is_relocated": False,
        "housing_safe": True,
        "water_safe": True,
        "education_ok": True,
        "medical_ok": True,
    }
    return {
        "regions": [
            {"region_code": "530000000000", "name": "云南省", "level": "province"},
            {
                "region_code": "530100000000",
                "name": "昆明市",
                "level": "city",
                "parent_code": "530000000000",
            },
            {
                "region_code": "530102000000",
                "name": "五华区",
                "level": "county",
                "parent_code": "530100000000",
                "is_key_county": "national",
                "is_alleviated_county": True,
            },
            {
                "region_code": "530102001000",
                "name": "甲镇",
                "level": "township",
                "parent_code": "530102000000",
            },
            {
                "region_code": "530102001001",
                "name": "乙村",
                "level": "village",
                "parent_code": "530102001000",
            },
        ],
        "monitoring_lines": [
            {"province_code": "53", "year": 2022, "line_yuan": 7000},
            {"province_code": "53", "year": 2023, "line_yuan": 8050},
        ],
        "households": [
            {
                **household,
                "household_id": "H1",
                "head_name": "张三",
                "head_id_number": HEAD_1,
                "household_size": 3,
                "is_alleviated": True,
                "survey_date": "2023-11-15",
            },
            {
                **household,
                "household_id": "H2",
                "head_name": "李四",
                "head_id_number": id_number("19650101", 21),
                "household_size": 2,
                "is_alleviated": False,
                "survey_date": "2024-02-10",
            },
        ],
        "members": [
            {
                **member,
                "household_id": "H1",
                "name": "张三",
                "id_number": HEAD_1,
                "relation": "户主",
            },
            {
                **member,
                "household_id": "H1",
                "name": "王芳",
                "id_number": id_number("19720805", 12),
                "relation": "配偶",
            },
            {
                **member,
                "household_id": "H1",
                "name": "张小明",
                "id_number": id_number("20100601", 13),
                "relation": "子",
                "labor": "无劳动力",
                "schooling": "七年级",
                "work_area": "未务工",
                "work_months": 0,
            },
            {
                **member,
                "household_id": "H2",
                "name": "李四",
                "id_number": id_number("19650101", 21),
                "relation": "户主",
                "work_area": "省外",
                "work_months": 10,
            },
            {
                **member,
                "household_id": "H2",
                "name": "赵兰",
                "id_number": id_number("19660202", 22),
                "relation": "配偶",
                "health": "长期慢性病",
            },
        ],
        "income": [
            {
                **survey,
                "household_id": "H1",
                "income_year": 2023,
                "wage_income": 20000,
                "operating_income": 8000,
                "operating_expense": 2000,
                "property_income": 500,
                "transfer_income": 3000,
                "transfer_dibao": 1000,
                "transfer_pension": 1200,
            },
            {
                **survey,
                "household_id": "H2",
                "income_year": 2023,
                "wage_income": 15000,
                "operating_income": 5000,
                "operating_expense": 1000,
                "property_income": 0,
                "transfer_income": 2000,
            },
        ],
        "monitoring_episodes": [
            {
                **survey,
                "household_id": "H1",
                "category": "脱贫不稳定户",
                "risk_types": "因病、因学",
                "discovery_channel": "基层干部排查",
                "risk_found_date": "2023-03-01",
                "identified_date": "2023-03-10",
            },
            {
                **survey,
                "household_id": "H2",
                "category": "边缘易致贫户",
                "risk_types": "因灾",
                "discovery_channel": "农户自主申报",
                "risk_found_date": "2023-05-01",
                "identified_date": "2023-05-05",
                "eliminated_date": "2023-12-20",
            },
        ],
        "measures": [
            {
                **survey,
                "measure_id": "M1",
                "household_id": "H1",
                "measure_type": "健康帮扶",
                "start_date": "2023-03-15",
                "amount_yuan": 2000,
                "funding_source": "行业资金",
            },
            {
                **survey,
                "measure_id": "M2",
                "household_id": "H1",
                "measure_type": "教育帮扶",
                "start_date": "2023-03-20",
                "end_date": "2023-12-31",
                "amount_yuan": 1500,
                "funding_source": "衔接资金",
            },
            {
                **survey,
                "measure_id": "M3",
                "household_id": "H2",
                "measure_type": "产业帮扶",
                "start_date": "2023-05-10",
            },
        ],
        "rural_growth": [{"region_code": "5301", "year": 2023, "growth": 0.065}],
    }


def raw_columns(table: str) -> list[tuple[str, str]]:
    spec = load_sources()["sources"][table]
    columns = [("year", "INTEGER"), ("county_code", "VARCHAR")] if table in PATH_TABLES else []
    columns += [(name, SQL_TYPES[c["type"]]) for name, c in spec["columns"].items()]
    return columns + [
        ("source_file", "VARCHAR"),
        ("source_sheet", "VARCHAR"),
        ("source_row_number", "INTEGER"),
    ]


def make_restricted(
    tmp_path: Path,
    rows: dict[str, list[dict[str, Any]]],
    drop_columns: dict[str, set[str]] | None = None,
) -> Path:
    """restricted.duckdb with schema raw holding `rows` (tables absent from `rows` are absent)."""
    path = tmp_path / "restricted.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        for table, table_rows in rows.items():
            dropped = (drop_columns or {}).get(table, set())
            columns = [(n, t) for n, t in raw_columns(table) if n not in dropped]
            ddl = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
            con.execute(f"create table raw.{table} ({ddl})")
            for i, row in enumerate(table_rows):
                values = {
                    "source_file": f"landing/{table}.csv",
                    "source_row_number": i + 2,
                    **row,
                }
                names = [n for n, _ in columns]
                con.execute(
                    f"insert into raw.{table} values ({', '.join('?' for _ in names)})",
                    [values.get(n) for n in names],
                )
    return path


def result(outcome: SuiteOutcome, expectation_type: str, column: str) -> Any:
    matches = [
        r for r in outcome.results if r.expectation_type == expectation_type and r.column == column
    ]
    assert len(matches) == 1, [(r.expectation_type, r.column) for r in outcome.results]
    return matches[0]


def failing(outcome: SuiteOutcome) -> list[tuple[str, str | None]]:
    return [(r.expectation_type, r.column) for r in outcome.failures]


@pytest.fixture
def rows() -> dict[str, list[dict[str, Any]]]:
    return copy.deepcopy(clean_rows())


# ---- suites as data -----------------------------------------------------------------------


@pytest.mark.parametrize("table", LANDING_TABLES)
def test_every_landing_suite_builds_from_its_yaml_with_every_ref_resolved(table: str) -> None:
    suite = build_suite(load_suite_spec(table))
    assert suite.name == f"landing.{table}"
    assert len(suite.expectations) >= 5
    assert "'ref'" not in json.dumps([e.configuration.to_json_dict() for e in suite.expectations])


def test_value_sets_are_read_from_sources_yaml_and_the_seeds() -> None:
    def value_set(table: str, column: str) -> list[str]:
        suite = build_suite(load_suite_spec(table))
        (expectation,) = [
            e
            for e in suite.expectations
            if e.expectation_type == "expect_column_values_to_be_in_set" and e.column == column
        ]
        return list(expectation.value_set)

    relation = load_sources()["sources"]["members"]["columns"]["relation"]["values"]
    assert value_set("members", "relation") == relation
    assert value_set("monitoring_episodes", "category") == seed_column("monitoring_categories")
    assert value_set("measures", "measure_type") == seed_column("measure_types")


# ---- clean batches ------------------------------------------------------------------------


@pytest.mark.parametrize("table", LANDING_TABLES)
def test_clean_landing_batches_pass_their_suite_and_table_checks(
    tmp_path: Path, rows: dict, table: str
) -> None:
    db = make_restricted(tmp_path, rows)
    outcome = run_landing_suite(table, db)
    assert outcome.success, failing(outcome)
    assert outcome.evaluated_rows == len(rows[table])
    assert outcome.results and all(r.success for r in outcome.results)
    table_wide = run_landing_sql_checks(table, db)
    assert table_wide.success, failing(table_wide)
    assert table_wide.evaluated_rows == len(rows[table])


def test_landing_checks_are_reused_only_on_the_same_rows(tmp_path: Path, rows: dict) -> None:
    from expectations.gx_runner import checks_dir

    rows["members"][0]["relation"] = "邻居"
    rows["households"][0]["household_size"] = 0
    db = make_restricted(tmp_path, rows)
    for table in LANDING_TABLES:
        first = run_landing_checks(table, db)
        assert not first.reused and first.content_digest
        again = run_landing_checks(table, db)
        assert again.reused and again.validated_at == first.validated_at
        # the same outcomes, failing expectations and their masked examples included
        assert (again.suite, again.sql) == (first.suite, first.sql)
        assert again.to_metadata() == {**first.to_metadata(), "reused": True}
    assert not run_landing_checks("members", db).suite.success

    # one value changed: the suite runs again and sees it
    with duckdb.connect(str(db)) as con:
        con.execute("update raw.members set relation = '户主' where relation = '邻居'")
    members = run_landing_checks("members", db)
    assert not members.reused and members.suite.success
    assert run_landing_checks("members", db).reused

    # outcomes kept under another suite, code or library version are not used
    path = checks_dir(db) / "households.json"
    stored = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**stored, "key": "0" * 64}), encoding="utf-8")
    households = run_landing_checks("households", db)
    assert not households.reused and not households.suite.success


# ---- planted violations -------------------------------------------------------------------


def test_household_size_must_lie_between_1_and_30(tmp_path: Path, rows: dict) -> None:
    rows["households"][0]["household_size"] = 0
    rows["households"][1]["household_size"] = 31
    outcome = run_landing_suite("households", make_restricted(tmp_path, rows))
    size = result(outcome, "expect_column_values_to_be_between", "household_size")
    assert not size.success
    assert size.unexpected_count == 2
    assert sorted(size.unexpected_values) == [0, 31]
    assert not outcome.success
    assert outcome.severity == "ERROR"


def test_village_code_must_be_a_village_of_the_files_county(tmp_path: Path, rows: dict) -> None:
    rows["households"][0]["village_code"] = "530102001000"  # a township, VVV = 000
    rows["households"][1]["village_code"] = "530103001001"  # a village of another county
    outcome = run_landing_suite("households", make_restricted(tmp_path, rows))
    village = result(outcome, "expect_column_values_to_match_regex", "village_code")
    assert village.unexpected_values == ["530102001000"]
    other_county = result(
        outcome, "expect_column_pair_values_to_be_equal", "county_code,village_county"
    )
    assert other_county.unexpected_count == 1
    assert other_county.unexpected_values == [["530102", "530103"]]


def test_survey_date_lies_in_the_survey_year_or_its_following_march(
    tmp_path: Path, rows: dict
) -> None:
    rows["households"][0]["survey_date"] = "2024-04-01"
    rows["households"][1]["survey_date"] = "2024-03-31"
    outcome = run_landing_suite("households", make_restricted(tmp_path, rows))
    assert failing(outcome) == [("expect_column_values_to_be_between", "survey_month_offset")]


def test_members_need_known_relations_and_at_most_12_work_months(
    tmp_path: Path, rows: dict
) -> None:
    rows["members"][0]["relation"] = "邻居"
    rows["members"][3]["work_months"] = 13
    rows["members"][4]["work_months"] = 14
    outcome = run_landing_suite("members", make_restricted(tmp_path, rows))
    assert result(outcome, "expect_column_values_to_be_in_set", "relation").unexpected_count == 1
    months = result(outcome, "expect_column_values_to_be_between", "work_months")
    assert months.unexpected_count == 2
    assert sorted(failing(outcome)) == [
        ("expect_column_values_to_be_between", "work_months"),
        ("expect_column_values_to_be_in_set", "relation"),
    ]


def test_a_batch_validated_in_chunks_adds_up_over_every_row(
    tmp_path: Path, rows: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 3 000 members in chunks of 2 048 rows: one bad value in each chunk, counted once each
    import expectations.gx_runner as gx_runner

    monkeypatch.setattr(gx_runner, "CHUNK_ROWS", 2048)
    template = rows["members"][0]
    rows["members"] = [
        {**template, "source_row_number": n + 2, "id_number": rows["members"][n % 5]["id_number"]}
        for n in range(3000)
    ]
    rows["members"][10]["work_months"] = 13
    rows["members"][2500]["work_months"] = 15
    rows["members"][2999]["relation"] = "邻居"
    outcome = run_landing_suite("members", make_restricted(tmp_path, rows))
    assert outcome.evaluated_rows == 3000
    months = result(outcome, "expect_column_values_to_be_between", "work_months")
    assert (months.success, months.unexpected_count) == (False, 2)
    assert sorted(months.unexpected_values) == [13, 15]
    relation = result(outcome, "expect_column_values_to_be_in_set", "relation")
    assert (relation.success, relation.unexpected_count) == (False, 1)
    assert sorted(failing(outcome)) == [
        ("expect_column_values_to_be_between", "work_months"),
        ("expect_column_values_to_be_in_set", "relation"),
    ]


def test_batches_reach_pandas_in_duckdbs_own_types_in_chunks_of_exact_size(
    tmp_path: Path,
) -> None:
    # what GX compares, and the values it reports, depend on the pandas types: each chunk must
    # have those of DuckDB's own conversion (nullable integers and booleans only where the
    # chunk holds a NULL, DECIMAL as float64, DATE as datetime64), whatever the chunk size
    from expectations import gx_runner

    db = tmp_path / "restricted.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        con.execute("""
            create table raw.t as
            select i::integer as n, case when i >= 4500 then null else i end::integer as late_null,
                   i % 2 = 0 as flag, case when i % 1000 = 7 then null else i % 3 = 0 end as b,
                   (i / 8)::decimal(18, 2) as amount, date '2023-01-01' + (i % 400)::integer as d,
                   case when i % 777 = 0 then null else 'v' || i end as s, i::bigint as big
            from range(5000) as r(i)
        """)
        con.execute("create table raw.empty as select * from raw.t limit 0")
    columns = ["n", "late_null", "flag", "b", "amount", "d", "s", "big"]
    derived = {
        "half": "amount / 2",
        "month": "date_diff('month', date '2023-01-01', d)",
        "huge": "n::hugeint * 3",
    }
    select = (
        "select n, late_null, flag, b, amount, d, s, cast(big as double) as big, "
        "amount / 2 as half, date_diff('month', date '2023-01-01', d) as month, "
        "n::hugeint * 3 as huge from raw.t"
    )
    with duckdb.connect(str(db), read_only=True) as con:
        for chunk_rows in (2048, 1000, 5000, None):
            frames = list(
                gx_runner._read_batch(con, "t", columns, derived, None, {"big"}, chunk_rows)
            )
            size = chunk_rows or 5000
            assert [len(f) for f in frames] == [min(size, 5000 - k) for k in range(0, 5000, size)]
            for k, frame in enumerate(frames):
                expected = con.execute(f"{select} limit {size} offset {k * size}").df()
                pd.testing.assert_frame_equal(frame, expected, check_exact=True)
        (empty,) = gx_runner._read_batch(con, "empty", columns, {}, None, (), 2048)
        assert list(empty.columns) == columns
        assert len(empty) == 0


def test_id_numbers_never_appear_in_clear_in_an_outcome(tmp_path: Path, rows: dict) -> None:
    bad = HEAD_1[:17]  # 17 characters
    rows["members"][0]["id_number"] = bad
    rows["households"][0]["head_id_number"] = bad
    db = make_restricted(tmp_path, rows)
    for table, column in [("members", "id_number"), ("households", "head_id_number")]:
        outcome = run_landing_suite(table, db)
        pattern = result(outcome, "expect_column_values_to_match_regex", column)
        assert pattern.unexpected_count == 1
        assert pattern.unexpected_values == ["53010" + "*" * 12]
        assert bad not in json.dumps(outcome.to_metadata(), ensure_ascii=False)
        assert bad not in repr(outcome)


def test_amounts_may_not_be_negative(tmp_path: Path, rows: dict) -> None:
    rows["income"][0]["operating_expense"] = -100
    rows["income"][1]["property_income"] = -1
    outcome = run_landing_suite("income", make_restricted(tmp_path, rows))
    assert sorted(failing(outcome)) == [
        ("expect_column_values_to_be_between", "operating_expense"),
        ("expect_column_values_to_be_between", "property_income"),
    ]
    prop = result(outcome, "expect_column_values_to_be_between", "property_income")
    assert prop.unexpected_values == [-1.0]


def test_parts_of_transfer_income_may_not_exceed_it(tmp_path: Path, rows: dict) -> None:
    rows["income"][0]["transfer_pension"] = 2500  # 1 000 + 2 500 > 3 000
    outcome = run_landing_suite("income", make_restricted(tmp_path, rows))
    parts = result(
        outcome,
        "expect_column_pair_values_a_to_be_greater_than_b",
        "transfer_income,transfer_parts",
    )
    assert parts.unexpected_count == 1
    assert failing(outcome) == [
        ("expect_column_pair_values_a_to_be_greater_than_b", "transfer_income,transfer_parts")
    ]


def test_an_implausible_wage_share_only_warns(tmp_path: Path, rows: dict) -> None:
    for row in rows["income"]:
        row["wage_income"] = 0
    outcome = run_landing_suite("income", make_restricted(tmp_path, rows))
    share = result(outcome, "expect_column_mean_to_be_between", "wage_share")
    assert share.level == "warn"
    assert share.observed_value == 0
    assert failing(outcome) == [("expect_column_mean_to_be_between", "wage_share")]
    assert not outcome.success
    assert outcome.severity == "WARN"


def test_identification_and_elimination_follow_the_risk_in_time(tmp_path: Path, rows: dict) -> None:
    rows["monitoring_episodes"][0]["identified_date"] = "2023-02-27"  # before risk_found 03-01
    rows["monitoring_episodes"][1]["eliminated_date"] = "2023-05-04"  # before identified 05-05
    outcome = run_landing_suite("monitoring_episodes", make_restricted(tmp_path, rows))
    identified = result(
        outcome,
        "expect_column_pair_values_a_to_be_greater_than_b",
        "identified_date,risk_found_date",
    )
    eliminated = result(
        outcome,
        "expect_column_pair_values_a_to_be_greater_than_b",
        "eliminated_date,identified_date",
    )
    assert identified.unexpected_count == 1
    assert identified.unexpected_values == [["2023-02-27", "2023-03-01"]]
    assert eliminated.unexpected_count == 1


def test_risk_types_are_one_or_more_listed_types_joined_by_dunhao(
    tmp_path: Path, rows: dict
) -> None:
    rows["monitoring_episodes"][0]["risk_types"] = "因病、因穷"
    rows["monitoring_episodes"][1]["risk_types"] = "因灾,因病"
    outcome = run_landing_suite("monitoring_episodes", make_restricted(tmp_path, rows))
    risk = result(outcome, "expect_column_values_to_match_regex", "risk_types")
    assert risk.unexpected_count == 2


def test_measures_end_after_they_start_and_use_known_types(tmp_path: Path, rows: dict) -> None:
    rows["measures"][1]["end_date"] = "2023-03-01"
    rows["measures"][2]["measure_type"] = "送温暖"
    outcome = run_landing_suite("measures", make_restricted(tmp_path, rows))
    assert sorted(failing(outcome)) == [
        ("expect_column_pair_values_a_to_be_greater_than_b", "end_date,start_date"),
        ("expect_column_values_to_be_in_set", "measure_type"),
    ]


def test_region_codes_have_12_digits_and_villages_a_village_part(
    tmp_path: Path, rows: dict
) -> None:
    rows["regions"][4]["region_code"] = "530102001000"
    rows["regions"].append(
        {
            "region_code": "53010200100",
            "name": "短码",
            "level": "township",
            "parent_code": "530102000000",
        }
    )
    outcome = run_landing_suite("regions", make_restricted(tmp_path, rows))
    region_code_checks = [r for r in outcome.failures if r.column == "region_code"]
    assert [r.unexpected_values for r in region_code_checks] == [["53010200100"], ["530102001000"]]


def test_a_missing_raw_column_is_reported_not_raised(tmp_path: Path, rows: dict) -> None:
    db = make_restricted(tmp_path, rows, drop_columns={"households": {"household_size"}})
    outcome = run_landing_suite("households", db)
    assert failing(outcome) == [("expect_column_to_exist", "household_size")]
    assert not any(r.column == "household_size" for r in outcome.results if r.success)


def test_a_missing_required_table_fails_but_an_absent_optional_one_passes(
    tmp_path: Path, rows: dict
) -> None:
    del rows["measures"]
    del rows["rural_growth"]
    db = make_restricted(tmp_path, rows)
    assert failing(run_landing_suite("measures", db)) == [("expect_table_to_exist", None)]
    assert failing(run_landing_sql_checks("measures", db)) == [("expect_table_to_exist", None)]
    assert run_landing_suite("rural_growth", db).success
    assert run_landing_sql_checks("rural_growth", db).success


def test_sample_rows_validates_a_sample_of_the_batch(tmp_path: Path, rows: dict) -> None:
    outcome = run_landing_suite("members", make_restricted(tmp_path, rows), sample_rows=2)
    assert outcome.success
    assert outcome.evaluated_rows == 2


# ---- SQL table-wide checks ----------------------------------------------------------------


def test_a_household_listed_twice_in_a_year_breaks_the_unique_key(
    tmp_path: Path, rows: dict
) -> None:
    rows["households"][1]["household_id"] = "H1"
    outcome = run_landing_sql_checks("households", make_restricted(tmp_path, rows))
    key = result(outcome, "expect_compound_columns_to_be_unique", "year,household_id")
    assert key.unexpected_count == 2
    assert key.unexpected_values == [{"year": 2023, "household_id": "H1"}]
    assert outcome.severity == "ERROR"


def test_duplicate_members_are_reported_with_masked_id_numbers(tmp_path: Path, rows: dict) -> None:
    rows["members"][3]["id_number"] = HEAD_1
    outcome = run_landing_sql_checks("members", make_restricted(tmp_path, rows))
    key = result(outcome, "expect_compound_columns_to_be_unique", "year,id_number")
    assert key.unexpected_count == 2
    assert key.unexpected_values == [{"year": 2023, "id_number": HEAD_1[:6] + "*" * 12}]
    assert HEAD_1 not in json.dumps(outcome.to_metadata(), ensure_ascii=False)


def test_an_empty_required_table_fails_the_row_count(tmp_path: Path, rows: dict) -> None:
    rows["measures"] = []
    outcome = run_landing_sql_checks("measures", make_restricted(tmp_path, rows))
    count = result(outcome, "expect_table_row_count_to_be_between", None)
    assert not count.success
    assert count.observed_value == 0


def test_an_episode_relisted_in_a_later_ledger_is_no_duplicate(tmp_path: Path, rows: dict) -> None:
    relisted = {**rows["monitoring_episodes"][0], "year": 2024}
    rows["monitoring_episodes"].append(relisted)
    outcome = run_landing_sql_checks("monitoring_episodes", make_restricted(tmp_path, rows))
    assert outcome.success
    assert [r.expectation_type for r in outcome.results] == ["expect_table_row_count_to_be_between"]


# ---- outcome shape and store handling -----------------------------------------------------


def test_outcome_metadata_is_flat_and_json_serialisable(tmp_path: Path, rows: dict) -> None:
    rows["households"][0]["household_size"] = 0
    metadata = run_landing_suite("households", make_restricted(tmp_path, rows)).to_metadata()
    assert all(isinstance(v, (str, int, float, bool, type(None))) for v in metadata.values())
    json.dumps(metadata)
    assert metadata["expectations_failed"] == 1
    assert metadata["unexpected_rows_total"] == 1
    assert (
        "| expect_column_values_to_be_between | household_size | fail | 1 |"
        in (metadata["failures_md"])
    )


def test_the_restricted_store_is_opened_read_only_and_closed(tmp_path: Path, rows: dict) -> None:
    db = make_restricted(tmp_path, rows)
    # another reader holds the file: a read-write open in this process would be refused
    with duckdb.connect(str(db), read_only=True):
        assert run_landing_suite("households", db).success
        assert run_landing_sql_checks("households", db).success
    # and nothing stays open: a writer can take the file afterwards
    with duckdb.connect(str(db)) as writer:
        writer.execute("create table raw.after_checks (x integer)")
