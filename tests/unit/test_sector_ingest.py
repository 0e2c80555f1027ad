"""Sector records (行业部门数据, SPEC §3.6) and self-report applications (农户自主申报, §3.7):
monthly files → raw tables matched to households, quarantine and ledger."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from expectations.gx_runner import run_landing_sql_checks, run_landing_suite
from ingestion.load import SOURCE_GROUPS, GroupResult, IngestionError, ingest_all, ingest_group
from tests.unit.landing import (
    RUN_DATE,
    household,
    id_number,
    income,
    member,
    quarantine,
    query,
    standard_survey,
    write_csv,
    write_reference,
    write_survey,
)

SECTOR_TABLES = SOURCE_GROUPS["sector"]
MONTHLY_TABLES = [*SECTOR_TABLES, "applications"]
# Chinese headers of each department's file (SPEC §3.6, §3.7)
HEADERS = {
    "medical": ["身份证号", "结算日期", "医疗总费用", "合规自付费用"],
    "civil_affairs": ["身份证号", "救助类型", "开始日期", "金额"],
    "employment": ["身份证号", "就业状态", "变动日期"],
    "education": ["身份证号", "学籍状态", "变动日期"],
    "housing": ["户编号", "危房等级", "鉴定日期"],
    "emergency": ["户编号", "灾害类型", "损失金额", "发生日期"],
    "disability": ["身份证号", "残疾类别", "残疾等级", "发证日期"],
}
APPLICATION_HEADER = ["申请编号", "身份证号", "申请日期", "申请事项", "办结日期", "办理结果"]
# members of standard_survey (2023): H01 holds seq 1 and 2, H02 seq 3
H01_HEAD, H01_SPOUSE, H02_HEAD = id_number(seq=1), id_number(seq=2), id_number(seq=3)
STRANGER = id_number(seq=99)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    write_reference(landing)
    standard_survey(landing)
    return landing


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "out" / "restricted.duckdb"


def sector_file(
    landing: Path, department: str, month: str, rows: list[list[str]], encoding: str = "utf-8"
) -> str:
    """Write sector/<department>/<month>.csv with Chinese headers; its landing path."""
    relative = f"sector/{department}/{month}.csv"
    write_csv(landing / relative, HEADERS[department], rows, encoding)
    return relative


def applications_file(landing: Path, month: str, rows: list[list[str]]) -> str:
    relative = f"applications/{month}.csv"
    write_csv(landing / relative, APPLICATION_HEADER, rows)
    return relative


def run_all(landing: Path, db: Path) -> dict[str, GroupResult]:
    return {r.group: r for r in ingest_all(landing, db, RUN_DATE)}


def load(landing: Path, db: Path) -> dict[str, GroupResult]:
    """The groups the monthly tables need, and those tables' groups."""
    groups = ("regions", "survey", "sector", "applications")
    return {g: ingest_group(g, landing, db, RUN_DATE) for g in groups}


def matched(db: Path, table: str, key: str = "id_number") -> list[tuple]:
    """(key, household_id, match_survey_year, department, record_month) of a raw table."""
    return query(
        db,
        f"select {key}, household_id, match_survey_year, department, record_month "
        f"from raw.{table} order by source_file, source_row_number",
    )


# -- the contract -------------------------------------------------------------------------


def test_every_monthly_table_exists_empty_when_no_file_was_delivered(
    landing: Path, db: Path
) -> None:
    results = run_all(landing, db)
    assert results["sector"].rows_loaded == {t: 0 for t in SECTOR_TABLES}
    assert results["applications"].rows_loaded == {"applications": 0}
    for table in MONTHLY_TABLES:
        assert query(db, f"select count(*) from raw.{table}") == [(0,)]
        columns = query(
            db,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = ? order by ordinal_position",
            [table],
        )
        assert columns[-7:] == [
            ("department", "VARCHAR"),
            ("record_month", "DATE"),
            ("household_id", "VARCHAR"),
            ("match_survey_year", "INTEGER"),
            ("source_file", "VARCHAR"),
            ("source_sheet", "VARCHAR"),
            ("source_row_number", "INTEGER"),
        ]


def test_raw_columns_follow_the_contract(landing: Path, db: Path) -> None:
    load(landing, db)

    def own(table: str) -> list[tuple[str, str]]:
        columns = query(
            db,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw' and table_name = ? order by ordinal_position",
            [table],
        )
        return columns[:-7]

    assert own("sector_medical") == [
        ("id_number", "VARCHAR"),
        ("settlement_date", "DATE"),
        ("total_cost", "DECIMAL(18,2)"),
        ("self_pay", "DECIMAL(18,2)"),
    ]
    assert own("sector_housing") == [("danger_grade", "VARCHAR"), ("assessed_date", "DATE")]
    assert own("sector_emergency") == [
        ("disaster_type", "VARCHAR"),
        ("loss_yuan", "DECIMAL(18,2)"),
        ("occurred_date", "DATE"),
    ]
    assert own("applications") == [
        ("application_id", "VARCHAR"),
        ("id_number", "VARCHAR"),
        ("applied_date", "DATE"),
        ("subject", "VARCHAR"),
        ("closed_date", "DATE"),
        ("outcome", "VARCHAR"),
    ]


def test_sector_before_the_survey_raises(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_reference(landing)
    ingest_group("regions", landing, tmp_path / "r.duckdb", RUN_DATE)
    with pytest.raises(IngestionError, match="households"):
        ingest_group("sector", landing, tmp_path / "r.duckdb", RUN_DATE)


# -- each department read and matched ------------------------------------------------------


def test_each_department_file_is_read_typed_and_matched(landing: Path, db: Path) -> None:
    sector_file(landing, "medical", "2023-05", [[H01_HEAD, "2023-05-03", "12000", "8000.50"]])
    sector_file(
        landing, "civil_affairs", "2023-05", [[H01_SPOUSE, "临时救助", "2023-05-10", "2000"]]
    )
    sector_file(landing, "employment", "2023-06", [[H02_HEAD, "返乡", "2023-06-01"]])
    sector_file(landing, "education", "2023-09", [[H01_SPOUSE, "失学辍学", "2023-09-01"]])
    sector_file(landing, "housing", "2023-07", [["H02", "D", "2023-07-15"]])
    sector_file(landing, "emergency", "2023-08", [["H01", "洪涝", "5,000元", "2023-08-02"]])
    sector_file(landing, "disability", "2023-10", [[H02_HEAD, "肢体", "二级", "2023-10-20"]])
    results = load(landing, db)
    assert results["sector"].rows_loaded == {t: 1 for t in SECTOR_TABLES}
    assert all(r.status == "loaded" and r.message is None for r in results["sector"].ledger)

    assert matched(db, "sector_medical") == [(H01_HEAD, "H01", 2023, "medical", date(2023, 5, 1))]
    assert query(db, "select settlement_date, total_cost, self_pay from raw.sector_medical") == [
        (date(2023, 5, 3), Decimal("12000.00"), Decimal("8000.50"))
    ]
    assert matched(db, "sector_civil_affairs") == [
        (H01_SPOUSE, "H01", 2023, "civil_affairs", date(2023, 5, 1))
    ]
    assert matched(db, "sector_employment")[0][1:3] == ("H02", 2023)
    assert matched(db, "sector_education")[0][1:3] == ("H01", 2023)
    assert matched(db, "sector_disability")[0][1:4] == ("H02", 2023, "disability")
    assert query(db, "select disability_category, disability_grade from raw.sector_disability") == [
        ("肢体", "二级")
    ]
    # household-keyed departments keep their own 户编号 and look no member up
    assert matched(db, "sector_housing", "danger_grade") == [
        ("D", "H02", None, "housing", date(2023, 7, 1))
    ]
    assert query(db, "select disaster_type, loss_yuan, household_id from raw.sector_emergency") == [
        ("洪涝", Decimal("5000.00"), "H01")
    ]


def test_english_code_names_are_accepted_as_headers(landing: Path, db: Path) -> None:
    write_csv(
        landing / "sector" / "employment" / "2023-06.csv",
        ["ID_Number", "employment_status", "change_date"],
        [[H02_HEAD, "失业", "2023/06/01"]],
    )
    load(landing, db)
    assert query(
        db, "select household_id, employment_status, change_date from raw.sector_employment"
    ) == [("H02", "失业", date(2023, 6, 1))]


def test_gb18030_sector_file_is_read(landing: Path, db: Path) -> None:
    sector_file(
        landing, "disability", "2023-10", [[H01_HEAD, "视力", "一级", "2023-10-20"]], "gb18030"
    )
    load(landing, db)
    assert query(
        db, "select disability_category, disability_grade, household_id from raw.sector_disability"
    ) == [("视力", "一级", "H01")]


# -- matching ------------------------------------------------------------------------------


def test_id_number_of_no_member_is_quarantined_with_reason_and_column(
    landing: Path, db: Path
) -> None:
    medical = sector_file(
        landing,
        "medical",
        "2023-05",
        [[H01_HEAD, "2023-05-03", "100", "20"], [STRANGER, "2023-05-04", "100", "20"]],
    )
    results = load(landing, db)
    assert results["sector"].rows_quarantined["sector_medical"] == 1
    assert quarantine(db, "sector_medical") == [
        (
            medical,
            3,
            "id_number",
            "ID number is not a member of any loaded survey up to the record's year",
        )
    ]
    zh = query(db, "select reason_zh from audit.quarantine where source = 'sector_medical'")
    assert zh == [("身份证号不是记录年度及以前任何已入库调查年度的家庭成员",)]


def test_member_is_matched_through_the_latest_survey_up_to_the_record_year(
    landing: Path, db: Path
) -> None:
    # the person lived in H05 in 2022 and moved to H01 by the 2023 survey
    mover = id_number(seq=50)
    write_survey(
        landing,
        [household("H05", size=1, 采集日期="2022-12-01")],
        [member("H05", 50)],
        [income("H05", year=2022)],
        year=2022,
    )
    write_survey(
        landing,
        [household("H01", size=3), household("H02")],
        [
            member("H01", 1),
            member("H01", 2, 与户主关系="配偶"),
            member("H01", 50, 与户主关系="其他"),
            member("H02", 3),
        ],
        [income("H01"), income("H02")],
    )
    medical = sector_file(
        landing,
        "medical",
        "2024-01",
        [
            [mover, "2022-11-20", "500", "100"],  # a late record of 2022: the 2022 survey
            [mover, "2023-02-01", "500", "100"],
            [mover, "2024-01-05", "500", "100"],  # no 2024 survey yet: the 2023 one
            [mover, "2021-06-01", "500", "100"],  # before any survey of the person
        ],
    )
    load(landing, db)
    assert [r[1:3] for r in matched(db, "sector_medical")] == [
        ("H05", 2022),
        ("H01", 2023),
        ("H01", 2023),
    ]
    assert [(r[1], r[2]) for r in quarantine(db, "sector_medical")] == [(5, "id_number")]
    assert quarantine(db, "sector_medical")[0][0] == medical


def test_a_member_of_a_quarantined_household_matches_nothing(landing: Path, db: Path) -> None:
    write_survey(
        landing,
        [household("H01", size=2), household("H02", 家庭人口数="x")],
        [member("H01", 1), member("H01", 2), member("H02", 3)],
        [income("H01"), income("H02")],
    )
    sector_file(landing, "employment", "2023-06", [[H02_HEAD, "失业", "2023-06-01"]])
    load(landing, db)
    assert [r[2] for r in quarantine(db, "sector_employment")] == ["id_number"]


def test_household_keyed_record_of_an_unknown_household_is_quarantined(
    landing: Path, db: Path
) -> None:
    housing = sector_file(
        landing, "housing", "2023-07", [["H01", "A", "2023-07-01"], ["H77", "C", "2023-07-02"]]
    )
    emergency = sector_file(landing, "emergency", "2023-08", [["H78", "地震", "100", "2023-08-01"]])
    load(landing, db)
    unknown = "household not among the loaded survey households of any year"
    assert quarantine(db, "sector_housing") == [(housing, 3, "household_id", unknown)]
    assert quarantine(db, "sector_emergency") == [(emergency, 2, "household_id", unknown)]
    assert [r[1] for r in matched(db, "sector_housing", "danger_grade")] == ["H01"]


def test_a_bad_id_number_is_quarantined_for_its_checksum_only(landing: Path, db: Path) -> None:
    bad = H01_HEAD[:17] + ("0" if H01_HEAD[17] != "0" else "1")
    sector_file(landing, "disability", "2023-10", [[bad, "肢体", "一级", "2023-10-20"]])
    load(landing, db)
    assert [r[2:] for r in quarantine(db, "sector_disability")] == [
        ("id_number", "ID number check character is wrong")
    ]


# -- applications --------------------------------------------------------------------------


def test_applications_are_matched_and_an_unknown_applicant_is_quarantined(
    landing: Path, db: Path
) -> None:
    file = applications_file(
        landing,
        "2023-06",
        [
            ["SQ001", H02_HEAD, "2023-06-01", "因病申请帮扶", "2023-06-12", "纳入监测"],
            ["SQ002", H01_SPOUSE, "2023-06-20", "申请产业奖补", "", "办理中"],
            ["SQ003", STRANGER, "2023-06-21", "申请临时救助", "2023-07-01", "不符合条件"],
            ["SQ004", H01_HEAD, "2023-06-22", "申请公益岗位", "2023-06-02", "落实帮扶"],
        ],
    )
    results = load(landing, db)
    assert results["applications"].rows_loaded == {"applications": 2}
    assert query(
        db,
        "select application_id, household_id, match_survey_year, outcome, closed_date, "
        "department, record_month from raw.applications order by application_id",
    ) == [
        ("SQ001", "H02", 2023, "纳入监测", date(2023, 6, 12), "applications", date(2023, 6, 1)),
        ("SQ002", "H01", 2023, "办理中", None, "applications", date(2023, 6, 1)),
    ]
    assert quarantine(db, "applications") == [
        (file, 4, "id_number", "person not in any surveyed household"),
        (file, 5, "closed_date", "closed before the application date"),
    ]


def test_an_application_listed_again_in_a_later_month_is_kept_twice(
    landing: Path, db: Path
) -> None:
    applications_file(landing, "2023-06", [["SQ001", H02_HEAD, "2023-06-25", "", "", "办理中"]])
    applications_file(
        landing, "2023-07", [["SQ001", H02_HEAD, "2023-06-25", "", "2023-07-05", "落实帮扶"]]
    )
    load(landing, db)
    assert query(
        db, "select record_month, outcome from raw.applications order by record_month"
    ) == [(date(2023, 6, 1), "办理中"), (date(2023, 7, 1), "落实帮扶")]


# -- dates and file names ------------------------------------------------------------------


def test_late_records_load_but_future_dates_are_quarantined(landing: Path, db: Path) -> None:
    sector_file(
        landing,
        "civil_affairs",
        "2024-02",
        [
            [H01_HEAD, "低保", "2023-12-15", "3600"],  # pushed a month late: fine
            [H01_HEAD, "临时救助", "2024-07-01", "500"],  # after the run date
        ],
    )
    load(landing, db)
    assert query(db, "select start_date, record_month from raw.sector_civil_affairs") == [
        (date(2023, 12, 15), date(2024, 2, 1))
    ]
    [(_, row, column, reason)] = quarantine(db, "sector_civil_affairs")
    assert (row, column) == (3, "start_date") and "2024-06-30" in reason


@pytest.mark.parametrize("month", ["2023-13", "2023-00", "2013-12", "2024-07"])
def test_a_file_named_for_no_valid_month_is_rejected(landing: Path, db: Path, month: str) -> None:
    file = sector_file(landing, "housing", month, [["H01", "A", "2023-07-01"]])
    results = load(landing, db)
    [row] = results["sector"].ledger
    assert (row.file, row.status, row.rows_read, row.rows_quarantined) == (file, "rejected", 1, 1)
    assert f"month {month} in the path" in (row.message or "")
    assert quarantine(db, "sector_housing")[0][2] == "record_month"


def test_files_of_an_unknown_department_are_listed_by_the_sector_group(
    landing: Path, db: Path
) -> None:
    write_csv(landing / "sector" / "tax" / "2023-01.csv", ["身份证号"], [[H01_HEAD]])
    write_csv(landing / "applications" / "2023-1.csv", APPLICATION_HEADER, [])
    results = run_all(landing, db)
    assert results["sector"].files_ignored == ["sector/tax/2023-01.csv"]
    assert results["applications"].files_ignored == ["applications/2023-1.csv"]
    assert results["regions"].files_ignored == []


def test_medical_self_pay_may_not_exceed_the_total_cost(landing: Path, db: Path) -> None:
    sector_file(
        landing,
        "medical",
        "2023-05",
        [[H01_HEAD, "2023-05-03", "100", "100"], [H01_HEAD, "2023-05-04", "100", "100.01"]],
    )
    load(landing, db)
    assert [r[1:3] for r in quarantine(db, "sector_medical")] == [(3, "self_pay")]


# -- accounting ----------------------------------------------------------------------------


def test_rows_read_equal_loaded_plus_quarantined_for_each_file(landing: Path, db: Path) -> None:
    sector_file(
        landing,
        "medical",
        "2023-05",
        [[H01_HEAD, "2023-05-03", "100", "20"], [STRANGER, "2023-05-04", "1", "x"]],
    )
    sector_file(landing, "medical", "2023-06", [[H02_HEAD, "2023-06-01", "10", "1"]])
    sector_file(landing, "education", "2023-09", [[H01_HEAD, "休学", "2023-09-01"]])
    sector_file(landing, "housing", "2023-07", [["H01", "B", "2023-07-01"], ["H9", "C", ""]])
    applications_file(landing, "2023-06", [["SQ1", STRANGER, "2023-06-01", "", "", "办理中"]])
    load(landing, db)
    ledger = query(
        db,
        "select source, file, rows_read, rows_loaded, rows_quarantined from audit.ingest_ledger "
        "where source like 'sector%' or source = 'applications' order by file",
    )
    assert [r[1:] for r in ledger] == [
        ("applications/2023-06.csv", 1, 0, 1),
        ("sector/education/2023-09.csv", 1, 0, 1),
        ("sector/housing/2023-07.csv", 2, 1, 1),
        ("sector/medical/2023-05.csv", 2, 1, 1),
        ("sector/medical/2023-06.csv", 1, 1, 0),
    ]
    for source, file, read, loaded, quarantined in ledger:
        assert read == loaded + quarantined
        raw = query(db, f"select count(*) from raw.{source} where source_file = ?", [file])
        assert raw == [(loaded,)]
        assert len([q for q in quarantine(db, source) if q[0] == file]) == quarantined


def test_reloading_the_sector_group_replaces_its_rows(landing: Path, db: Path) -> None:
    sector_file(landing, "housing", "2023-07", [["H01", "B", "2023-07-01"], ["H9", "C", "x"]])
    load(landing, db)
    ingest_group("sector", landing, db, RUN_DATE)
    assert query(db, "select count(*) from raw.sector_housing") == [(1,)]
    assert query(db, "select count(*) from audit.quarantine where source = 'sector_housing'") == [
        (1,)
    ]
    assert len(query(db, "select * from audit.ingest_ledger where source = 'sector_housing'")) == 1


# -- GX suites -----------------------------------------------------------------------------


def test_ingested_monthly_tables_pass_their_suites(landing: Path, db: Path) -> None:
    sector_file(landing, "medical", "2023-05", [[H01_HEAD, "2023-05-03", "12000", "8000.50"]])
    sector_file(landing, "civil_affairs", "2023-05", [[H01_SPOUSE, "低保", "2023-04-10", ""]])
    sector_file(landing, "employment", "2023-06", [[H02_HEAD, "就业", "2023-06-01"]])
    sector_file(landing, "education", "2023-09", [[H01_SPOUSE, "在校", "2023-09-01"]])
    sector_file(landing, "housing", "2023-07", [["H02", "A", "2023-07-15"]])
    sector_file(landing, "emergency", "2023-08", [["H01", "冰雹", "300", "2023-08-02"]])
    sector_file(landing, "disability", "2023-10", [[H02_HEAD, "听力", "四级", "2023-10-20"]])
    applications_file(
        landing, "2023-06", [["SQ1", H02_HEAD, "2023-06-01", "申请", "2023-06-05", "落实帮扶"]]
    )
    load(landing, db)
    for table in MONTHLY_TABLES:
        outcome = run_landing_suite(table, db)
        assert outcome.success and outcome.evaluated_rows == 1, (table, outcome.failures)
        assert len(outcome.results) >= 10
        assert run_landing_sql_checks(table, db).success


def test_empty_monthly_tables_pass_their_suites(landing: Path, db: Path) -> None:
    load(landing, db)
    for table in MONTHLY_TABLES:
        assert run_landing_suite(table, db).success
        assert run_landing_sql_checks(table, db).success


def test_the_suite_catches_a_month_that_is_not_the_path_month(tmp_path: Path) -> None:
    db = tmp_path / "restricted.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.sector_housing (danger_grade varchar, assessed_date date, "
            "department varchar, record_month date, household_id varchar, "
            "match_survey_year integer, source_file varchar, source_sheet varchar, "
            "source_row_number integer)"
        )
        con.execute(
            "insert into raw.sector_housing values "
            "('C', '2023-07-01', 'housing', '2023-07-01', 'H1', null, "
            "'sector/housing/2023-07.csv', null, 2), "
            "('E', '2023-07-01', 'medical', '2023-06-01', 'H1', 2023, "
            "'sector/housing/2023-07.csv', null, 3)"
        )
    outcome = run_landing_suite("sector_housing", db)
    failing = {(r.expectation_type, r.column) for r in outcome.failures}
    assert failing == {
        ("expect_column_values_to_be_in_set", "danger_grade"),
        ("expect_column_pair_values_to_be_equal", "department,path_department"),
        ("expect_column_pair_values_to_be_equal", "record_month,path_month"),
        ("expect_column_values_to_be_null", "match_survey_year"),
    }
