"""Landing files → raw tables, quarantine and ledger (SPEC §3, §7.4), on small real files."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from ingestion.load import SOURCE_GROUPS, GroupResult, IngestionError, ingest_all, ingest_group
from tests.unit.landing import (
    COUNTY,
    EPISODE_HEADER,
    HOUSEHOLD_HEADER,
    INCOME_HEADER,
    MEASURE_HEADER,
    MEMBER_HEADER,
    OTHER_COUNTY,
    OTHER_VILLAGE,
    REGIONS,
    REGIONS_HEADER,
    RUN_DATE,
    YEAR,
    episode,
    household,
    id_number,
    income,
    measure,
    member,
    quarantine,
    query,
    standard_survey,
    write_csv,
    write_reference,
    write_survey,
    write_xlsx,
)


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    write_reference(landing)
    return landing


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "out" / "restricted.duckdb"


def run_all(landing: Path, db: Path) -> dict[str, GroupResult]:
    return {r.group: r for r in ingest_all(landing, db, RUN_DATE)}


def ledger(db: Path, source: str) -> list[tuple]:
    """(file, sheet, rows_read, rows_loaded, rows_quarantined, status) of a source."""
    return query(
        db,
        "select file, sheet, rows_read, rows_loaded, rows_quarantined, status "
        "from audit.ingest_ledger where source = ? order by file, sheet",
        [source],
    )


def loaded_ids(db: Path, table: str, column: str = "household_id") -> list[str]:
    return [r[0] for r in query(db, f"select {column} from raw.{table} order by all")]


HH = "survey/2023/530102/households.csv"
MM = "survey/2023/530102/members.csv"
IN = "survey/2023/530102/income.csv"


# -- the contract -------------------------------------------------------------------------


def test_raw_tables_have_the_contract_columns_and_types(landing: Path, db: Path) -> None:
    standard_survey(landing)
    run_all(landing, db)
    columns = query(
        db,
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'income' order by ordinal_position",
    )
    assert columns[:4] == [
        ("year", "INTEGER"),
        ("county_code", "VARCHAR"),
        ("household_id", "VARCHAR"),
        ("income_year", "INTEGER"),
    ]
    assert ("wage_income", "DECIMAL(18,2)") in columns
    assert columns[-3:] == [
        ("source_file", "VARCHAR"),
        ("source_sheet", "VARCHAR"),
        ("source_row_number", "INTEGER"),
    ]
    regions = query(
        db,
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'regions' order by ordinal_position",
    )
    assert [r[0] for r in regions][:2] == ["region_code", "name"]


def test_audit_tables_have_the_spec_columns(landing: Path, db: Path) -> None:
    run_all(landing, db)
    for table, expected in {
        "ingest_ledger": [
            "file",
            "sheet",
            "source",
            "rows_read",
            "rows_loaded",
            "rows_quarantined",
            "status",
            "message",
            "loaded_at",
        ],
        "quarantine": [
            "file",
            "sheet",
            "source",
            "row_number",
            "column_name",
            "reason_zh",
            "reason_en",
            "raw_values",
        ],
    }.items():
        columns = query(
            db,
            "select column_name from information_schema.columns "
            "where table_schema = 'audit' and table_name = ? order by ordinal_position",
            [table],
        )
        assert [c[0] for c in columns] == expected


def test_valid_survey_is_loaded_typed_with_path_year_and_county(landing: Path, db: Path) -> None:
    standard_survey(landing)
    results = run_all(landing, db)
    assert results["survey"].rows_loaded == {"households": 2, "members": 3, "income": 2}
    row = query(
        db,
        "select year, county_code, household_id, household_size, is_alleviated, survey_date, "
        "source_file, source_sheet, source_row_number from raw.households order by household_id",
    )[0]
    assert row == (YEAR, COUNTY, "H01", 2, True, date(2023, 12, 1), HH, None, 2)
    assert quarantine(db, "households") == []


def test_group_result_lists_loaded_rows_and_ledger(landing: Path, db: Path) -> None:
    standard_survey(landing)
    run_all(landing, db)
    result = ingest_group("survey", landing, db, RUN_DATE)
    assert result.group == "survey"
    assert [(r.file, r.source, r.status) for r in result.ledger] == [
        (HH, "households", "loaded"),
        (IN, "income", "loaded"),
        (MM, "members", "loaded"),
    ]
    assert result.rows_quarantined == {"households": 0, "members": 0, "income": 0}


# -- accounting, reloading, order -----------------------------------------------------------


def test_rows_read_equal_loaded_plus_quarantined(landing: Path, db: Path) -> None:
    write_survey(
        landing,
        [household("H01", size=2), household("H02", 家庭人口数="x"), household("H03")],
        [member("H01", 1), member("H01", 2), member("H02", 3), member("H03", 4, 健康状况="好")],
        [income("H01"), income("H03", 工资性收入="-1")],
    )
    run_all(landing, db)
    for source in ("households", "members", "income"):
        for file, _, read, loaded, quarantined, status in ledger(db, source):
            assert status == "loaded"
            assert read == loaded + quarantined
            raw = query(db, f"select count(*) from raw.{source} where source_file = ?", [file])
            assert raw[0][0] == loaded
            assert len([q for q in quarantine(db, source) if q[0] == file]) == quarantined
    assert ledger(db, "households")[0][2:5] == (3, 2, 1)


def test_reloading_replaces_rows(landing: Path, db: Path) -> None:
    standard_survey(landing)
    write_csv(
        landing / "measures" / "2023" / f"{COUNTY}.csv",
        MEASURE_HEADER,
        [measure("M1", "H01"), measure("M1", "H02")],
    )
    run_all(landing, db)
    snapshot = {
        t: query(db, f"select * from {t} order by all")
        for t in ("raw.households", "raw.measures", "audit.quarantine")
    }
    ledger_before = query(db, "select * exclude (loaded_at) from audit.ingest_ledger order by all")
    run_all(landing, db)
    for table, rows in snapshot.items():
        assert query(db, f"select * from {table} order by all") == rows
    assert (
        query(db, "select * exclude (loaded_at) from audit.ingest_ledger order by all")
        == ledger_before
    )
    # a corrected file replaces what its group loaded before, quarantine included
    write_csv(
        landing / "measures" / "2023" / f"{COUNTY}.csv",
        MEASURE_HEADER,
        [measure("M1", "H01"), measure("M2", "H02")],
    )
    ingest_group("measures", landing, db, RUN_DATE)
    assert loaded_ids(db, "measures", "measure_id") == ["M1", "M2"]
    assert quarantine(db, "measures") == []
    assert len(ledger(db, "measures")) == 1
    assert query(db, "select count(*) from raw.households")[0][0] == 2


def test_rows_keep_their_file_and_row_number(landing: Path, db: Path) -> None:
    # raw tables are stored in no particular order (sorting a province costs a quarter of a
    # minute); every row says where it came from instead
    ids = [f"H{n:02d}" for n in range(40, 0, -1)]
    write_survey(landing, [household(h) for h in ids], [member(h, i) for i, h in enumerate(ids)])
    write_survey(
        landing,
        [household("H99", 行政区划代码=OTHER_VILLAGE)],
        [member("H99", 99)],
        county=OTHER_COUNTY,
    )
    run_all(landing, db)
    rows = query(
        db,
        "select source_file, source_row_number, household_id from raw.households "
        "order by source_file, source_row_number",
    )
    assert [(f, n) for f, n, _ in rows if f == HH] == [(HH, n) for n in range(2, 42)]
    assert [h for f, _, h in rows if f == HH] == ids
    assert [h for f, _, h in rows if f != HH] == ["H99"]


# -- reading ------------------------------------------------------------------------------


def test_gb18030_csv_is_read(landing: Path, db: Path) -> None:
    write_survey(
        landing,
        [household("H01", 户主姓名="欧阳娜娜")],
        [member("H01", 1, 姓名="欧阳娜娜")],
        encoding="gb18030",
    )
    run_all(landing, db)
    assert query(db, "select head_name from raw.households") == [("欧阳娜娜",)]
    assert query(db, "select name from raw.members") == [("欧阳娜娜",)]


def test_utf8_csv_with_bom_is_read(landing: Path, db: Path) -> None:
    write_survey(landing, [household("H01")], [member("H01", 1)], encoding="utf-8-sig")
    run_all(landing, db)
    assert loaded_ids(db, "households") == ["H01"]


def test_undecodable_csv_is_rejected_and_run_goes_on(landing: Path, db: Path) -> None:
    standard_survey(landing)
    bad = landing / "monitoring" / "2023" / f"{COUNTY}.csv"
    bad.parent.mkdir(parents=True)
    bad.write_bytes("户编号,监测对象类别\n".encode() + b"\xff\xfe\x80\x81\xff,\x80\n")
    results = run_all(landing, db)
    [row] = results["monitoring_episodes"].ledger
    assert row.status == "rejected" and row.rows_read == 0
    assert "GB18030" in row.message and row.file in row.message
    assert results["measures"].rows_loaded == {"measures": 0}


def test_empty_file_is_rejected(landing: Path, db: Path) -> None:
    path = landing / "monitoring" / "2023" / f"{COUNTY}.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    run_all(landing, db)
    assert ledger(db, "monitoring_episodes") == [
        (f"monitoring/2023/{COUNTY}.csv", None, 0, 0, 0, "rejected")
    ]


def test_header_only_file_loads_zero_rows(landing: Path, db: Path) -> None:
    write_csv(landing / "monitoring" / "2023" / f"{COUNTY}.csv", EPISODE_HEADER, [])
    run_all(landing, db)
    assert ledger(db, "monitoring_episodes") == [
        (f"monitoring/2023/{COUNTY}.csv", None, 0, 0, 0, "loaded")
    ]


def test_file_without_recognisable_header_is_rejected_and_its_rows_quarantined(
    landing: Path, db: Path
) -> None:
    standard_survey(landing)
    write_csv(
        landing / "measures" / "2023" / f"{COUNTY}.csv",
        None,
        [measure("M1", "H01"), measure("M2", "H01")],
    )
    run_all(landing, db)
    [(file, _, read, loaded, quarantined, status)] = ledger(db, "measures")
    assert (read, loaded, quarantined, status) == (1, 0, 1, "rejected")
    assert quarantine(db, "measures") == [(file, 2, "(header)", "no recognisable header row")]


def test_missing_required_column_rejects_file_and_quarantines_its_rows(
    landing: Path, db: Path
) -> None:
    header = [h for h in MEMBER_HEADER if h != "身份证号"]
    rows = [[c for h, c in zip(MEMBER_HEADER, member("H01", 1), strict=True) if h != "身份证号"]]
    write_survey(landing, [household("H01")], [])
    write_csv(landing / "survey" / "2023" / COUNTY / "members.csv", header, rows)
    results = run_all(landing, db)
    row = next(r for r in results["survey"].ledger if r.source == "members")
    assert (row.status, row.rows_read, row.rows_quarantined) == ("rejected", 1, 1)
    assert "身份证号" in row.message and "id_number" in row.message
    assert quarantine(db, "members") == [(MM, 2, "id_number", "required column missing: id_number")]


def test_duplicated_column_rejects_file(landing: Path, db: Path) -> None:
    write_survey(landing, [household("H01")], [member("H01", 1)])
    write_csv(
        landing / "survey" / "2023" / COUNTY / "income.csv",
        [*INCOME_HEADER, "wage_income"],
        [[*income("H01"), "5"]],
    )
    results = run_all(landing, db)
    row = next(r for r in results["survey"].ledger if r.source == "income")
    assert row.status == "rejected" and "wage_income" in row.message
    assert quarantine(db, "income")[0][2:] == ("wage_income", "duplicated column: wage_income")
    raw_values = json.loads(query(db, "select raw_values from audit.quarantine")[0][0])
    assert raw_values["工资性收入"] == "12000" and raw_values["wage_income"] == "5"


def test_unknown_columns_are_ignored_and_named_in_the_ledger(landing: Path, db: Path) -> None:
    write_csv(
        landing / "monitoring" / "2023" / f"{COUNTY}.csv",
        [*EPISODE_HEADER, "备注"],
        [[*episode("H01"), "电话回访"]],
    )
    standard_survey(landing)
    results = run_all(landing, db)
    [row] = results["monitoring_episodes"].ledger
    assert row.status == "loaded" and row.rows_loaded == 1
    assert "备注" in row.message


def test_decorated_headers_in_full_width_with_units_are_mapped(landing: Path, db: Path) -> None:
    header = [
        "户 编 号",
        "年度",
        "工资性收入（元）",
        "ｏｐｅｒａｔｉｎｇ＿ｉｎｃｏｍｅ",
        "生产经营性支出(元)",
        "财产性收入",
        "*转移性收入",
        "其中：低保金（元）",
    ]
    write_survey(landing, [household("H01")], [member("H01", 1)])
    write_csv(landing / "survey" / "2023" / COUNTY / "income.csv", header, [income("H01")])
    run_all(landing, db)
    assert query(db, "select wage_income, operating_income, transfer_dibao from raw.income") == [
        (12000, 3000, 300)
    ]


def test_corrupt_xlsx_is_rejected_and_run_goes_on(landing: Path, db: Path) -> None:
    standard_survey(landing)
    corrupt = landing / "survey" / "2023" / f"{OTHER_COUNTY}.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 this is not a workbook")
    results = run_all(landing, db)
    rejected = [r for r in results["survey"].ledger if r.status == "rejected"]
    assert {r.source for r in rejected} == {"households", "members", "income"}
    assert all(r.file == corrupt.relative_to(landing).as_posix() for r in rejected)
    assert all("workbook" in r.message for r in rejected)
    assert results["survey"].rows_loaded == {"households": 2, "members": 3, "income": 2}


def test_survey_workbook_is_read_through_sheet_aliases(landing: Path, db: Path) -> None:
    write_xlsx(
        landing / "survey" / "2023" / f"{COUNTY}000000.xlsx",
        {
            "户信息": [HOUSEHOLD_HEADER, household("H01", size=1)],
            "成员": [MEMBER_HEADER, member("H01", 1)],
            "收入信息 ": [INCOME_HEADER, income("H01")],
            "填表说明": [["说明"], ["按户填写"]],
        },
    )
    results = run_all(landing, db)
    assert results["survey"].rows_loaded == {"households": 1, "members": 1, "income": 1}
    assert query(db, "select county_code, source_file, source_sheet from raw.members") == [
        (COUNTY, f"survey/2023/{COUNTY}000000.xlsx", "成员")
    ]
    assert f"survey/2023/{COUNTY}000000.xlsx#填表说明" in results["survey"].files_ignored


def test_xlsx_cells_are_read_as_text_with_spreadsheet_row_numbers(landing: Path, db: Path) -> None:
    head = household("H01", size=2)
    values: list[object] = list(head)
    values[HOUSEHOLD_HEADER.index("家庭人口数")] = 2  # a number cell, read as "2", not "2.0"
    values[HOUSEHOLD_HEADER.index("采集日期")] = datetime(2023, 12, 1)  # a date cell
    bad = member("H01", 2, 身份证号="123")
    write_xlsx(
        landing / "survey" / "2023" / f"{COUNTY}.xlsx",
        {
            "户信息": [["五华区 2023 年户信息表"], [], HOUSEHOLD_HEADER, values],
            "成员信息": [MEMBER_HEADER, member("H01", 1), bad],
            "收入信息": [INCOME_HEADER],
        },
    )
    run_all(landing, db)
    assert query(
        db, "select household_size, survey_date, source_row_number from raw.households"
    ) == [(2, date(2023, 12, 1), 4)]
    assert quarantine(db, "members") == [
        (
            f"survey/2023/{COUNTY}.xlsx",
            3,
            "id_number",
            "ID number must be 17 digits and a check character",
        )
    ]


def test_missing_sheet_is_a_rejected_ledger_row(landing: Path, db: Path) -> None:
    write_xlsx(
        landing / "survey" / "2023" / f"{COUNTY}.xlsx",
        {
            "户信息": [HOUSEHOLD_HEADER, household("H01")],
            "成员信息": [MEMBER_HEADER, member("H01", 1)],
        },
    )
    results = run_all(landing, db)
    row = next(r for r in results["survey"].ledger if r.source == "income")
    assert row.status == "rejected" and "收入信息" in row.message
    assert results["survey"].rows_loaded["households"] == 1


# -- paths --------------------------------------------------------------------------------


def test_twelve_digit_county_in_path_is_accepted(landing: Path, db: Path) -> None:
    standard_survey(landing)
    write_csv(
        landing / "monitoring" / "2023" / f"{COUNTY}000000.csv", EPISODE_HEADER, [episode("H01")]
    )
    run_all(landing, db)
    assert query(db, "select county_code, year from raw.monitoring_episodes") == [(COUNTY, 2023)]


def test_file_of_a_county_not_in_regions_is_rejected(landing: Path, db: Path) -> None:
    standard_survey(landing)
    write_csv(landing / "measures" / "2023" / "539999.csv", MEASURE_HEADER, [measure("M1", "H01")])
    results = run_all(landing, db)
    [row] = results["measures"].ledger
    assert row.status == "rejected" and "539999" in row.message
    assert (row.rows_read, row.rows_quarantined) == (1, 1)
    assert quarantine(db, "measures") == [
        ("measures/2023/539999.csv", 2, "county_code", "539999 in the path is not a loaded county")
    ]


def test_files_matching_no_pattern_are_listed_not_read(landing: Path, db: Path) -> None:
    standard_survey(landing)
    (landing / "notes.txt").write_text("x")
    write_csv(landing / "survey" / "2023" / "readme.csv", ["a"], [["b"]])
    write_csv(landing / "payments" / "2023-01.csv", ["身份证号"], [["1"]])
    results = run_all(landing, db)
    assert results["regions"].files_ignored == ["notes.txt", "payments/2023-01.csv"]
    assert results["survey"].files_ignored == ["survey/2023/readme.csv"]
    files = {r[0] for r in query(db, "select file from audit.ingest_ledger")}
    assert "survey/2023/readme.csv" not in files


# -- required inputs ----------------------------------------------------------------------


def test_missing_landing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(IngestionError, match="landing"):
        ingest_group("regions", tmp_path / "nowhere", tmp_path / "r.duckdb", RUN_DATE)


def test_missing_regions_file_raises(landing: Path, db: Path) -> None:
    (landing / "reference" / "regions.csv").unlink()
    with pytest.raises(IngestionError, match="regions.csv"):
        ingest_group("regions", landing, db, RUN_DATE)


def test_unreadable_monitoring_lines_file_raises(landing: Path, db: Path) -> None:
    write_csv(landing / "reference" / "monitoring_lines.csv", ["省份", "数值"], [["53", "1"]])
    ingest_group("regions", landing, db, RUN_DATE)
    with pytest.raises(IngestionError, match="monitoring_lines.csv"):
        ingest_group("monitoring_lines", landing, db, RUN_DATE)


def test_survey_before_regions_raises(landing: Path, db: Path) -> None:
    standard_survey(landing)
    with pytest.raises(IngestionError, match="regions"):
        ingest_group("survey", landing, db, RUN_DATE)


def test_missing_optional_rural_growth_is_fine(landing: Path, db: Path) -> None:
    results = run_all(landing, db)
    assert results["rural_growth"].ledger == []
    assert results["rural_growth"].rows_loaded == {"rural_growth": 0}


def test_survey_year_without_a_monitoring_line_is_loaded(landing: Path, db: Path) -> None:
    write_csv(
        landing / "reference" / "monitoring_lines.csv",
        ["province_code", "year", "line_yuan"],
        [["53", "2022", "7000"]],
    )
    standard_survey(landing)
    results = run_all(landing, db)
    assert results["survey"].rows_loaded["households"] == 2


# -- cell rules through the whole path ----------------------------------------------------


def test_bad_id_checksum_is_quarantined_with_column_and_reason(landing: Path, db: Path) -> None:
    good = id_number(seq=7)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    write_survey(
        landing, [household("H01", size=2)], [member("H01", 1), member("H01", 2, 身份证号=bad)]
    )
    run_all(landing, db)
    assert quarantine(db, "members") == [(MM, 3, "id_number", "ID number check character is wrong")]
    zh = query(db, "select reason_zh from audit.quarantine")[0][0]
    assert zh == "身份证号校验位错误"


def test_several_errors_are_joined_in_rule_order(landing: Path, db: Path) -> None:
    write_survey(
        landing,
        [household("H01")],
        [member("H01", 1), member("H09", 2, 健康状况="好", 务工月数="13")],
    )
    run_all(landing, db)
    [(_, _, column, reason)] = quarantine(db, "members")
    assert column == "health; work_months; household_id"
    assert reason == (
        "not one of the allowed values (健康、长期慢性病、患有大病、残疾); outside the range 0–12; "
        "household not in the household list of the survey year"
    )


def test_raw_values_keep_the_row_as_read(landing: Path, db: Path) -> None:
    write_survey(landing, [household("H01")], [member("H01", 1, 姓名=" 王 二 ", 参加医保="不知道")])
    run_all(landing, db)
    raw_values = json.loads(query(db, "select raw_values from audit.quarantine")[0][0])
    assert list(raw_values) == MEMBER_HEADER
    assert raw_values["姓名"] == " 王 二 " and raw_values["参加医保"] == "不知道"


# -- households ---------------------------------------------------------------------------


def test_unknown_village_is_quarantined(landing: Path, db: Path) -> None:
    write_survey(
        landing,
        [
            household("H01", 行政区划代码="530102001999"),
            household("H02", 行政区划代码="530102001000"),
        ],
        [member("H01", 1), member("H02", 2)],
    )
    run_all(landing, db)
    assert [q[2:] for q in quarantine(db, "households")] == [
        ("village_code", "village code unknown or not a village")
    ] * 2


def test_village_outside_the_file_county_is_quarantined(landing: Path, db: Path) -> None:
    write_survey(landing, [household("H01", 行政区划代码=OTHER_VILLAGE)], [member("H01", 1)])
    run_all(landing, db)
    assert [q[2:] for q in quarantine(db, "households")] == [
        ("village_code", "village is not in the county of the file")
    ]


def test_survey_date_must_be_in_the_year_or_next_january_to_march(landing: Path, db: Path) -> None:
    write_survey(
        landing,
        [
            household("H01", 采集日期="2024-03-31"),
            household("H02", 采集日期="2024-04-01"),
            household("H03", 采集日期="2022-12-31"),
        ],
        [member("H01", 1), member("H02", 2), member("H03", 3)],
    )
    run_all(landing, db)
    assert loaded_ids(db, "households") == ["H01"]
    assert {q[2] for q in quarantine(db, "households")} == {"survey_date"}


def test_household_id_repeated_in_a_year_is_quarantined_across_files(
    landing: Path, db: Path
) -> None:
    standard_survey(landing)
    write_survey(
        landing,
        [household("H02", 行政区划代码=OTHER_VILLAGE)],
        [member("H02", 9)],
        county=OTHER_COUNTY,
    )
    run_all(landing, db)
    assert loaded_ids(db, "households") == ["H01"]
    rows = [(q[0], q[2], q[3]) for q in quarantine(db, "households")]
    reason = "household_id appears more than once in the survey year"
    assert rows == [
        (HH, "household_id", reason),
        (f"survey/2023/{OTHER_COUNTY}/households.csv", "household_id", reason),
    ]


def test_same_household_in_two_years_is_fine(landing: Path, db: Path) -> None:
    standard_survey(landing)
    write_survey(landing, [household("H01", 采集日期="2022-12-01")], [member("H01", 1)], year=2022)
    run_all(landing, db)
    assert query(db, "select year, household_id from raw.households order by all") == [
        (2022, "H01"),
        (2023, "H01"),
        (2023, "H02"),
    ]


def test_household_size_must_equal_its_member_rows(landing: Path, db: Path) -> None:
    write_survey(
        landing,
        [household("H01", size=3), household("H02")],
        [member("H01", 1), member("H01", 2), member("H02", 3)],
    )
    run_all(landing, db)
    assert [q[2:] for q in quarantine(db, "households")] == [
        ("household_size", "household size differs from the number of member rows of the household")
    ]


# -- members and income -------------------------------------------------------------------


def test_member_of_quarantined_household_is_quarantined_with_parent_reason(
    landing: Path, db: Path
) -> None:
    write_survey(
        landing,
        [household("H01", 是否脱贫户="可能"), household("H02")],
        [member("H01", 1), member("H02", 2)],
        [income("H01"), income("H02")],
    )
    run_all(landing, db)
    assert quarantine(db, "members") == [
        (MM, 2, "household_id", "the household's own row is quarantined")
    ]
    assert quarantine(db, "income") == [
        (IN, 2, "household_id", "the household's own row is quarantined")
    ]
    assert loaded_ids(db, "members") == ["H02"]


def test_member_of_unknown_household_is_quarantined_with_unknown_reason(
    landing: Path, db: Path
) -> None:
    write_survey(landing, [household("H01")], [member("H01", 1), member("H77", 2)])
    run_all(landing, db)
    assert quarantine(db, "members") == [
        (MM, 3, "household_id", "household not in the household list of the survey year")
    ]


def test_member_needs_a_household_of_the_same_year(landing: Path, db: Path) -> None:
    write_survey(landing, [household("H01", 采集日期="2022-12-01")], [member("H01", 1)], year=2022)
    write_survey(landing, [], [member("H01", 1)])
    run_all(landing, db)
    assert [q[3] for q in quarantine(db, "members")] == [
        "household not in the household list of the survey year"
    ]
    assert query(db, "select year from raw.members") == [(2022,)]


def test_id_number_repeated_in_a_year_is_quarantined(landing: Path, db: Path) -> None:
    write_survey(
        landing,
        [household("H01", size=2), household("H02")],
        [member("H01", 1), member("H01", 2), member("H02", 2)],
    )
    run_all(landing, db)
    assert [(q[1], q[2], q[3]) for q in quarantine(db, "members")] == [
        (3, "id_number", "ID number appears more than once in the survey year"),
        (4, "id_number", "ID number appears more than once in the survey year"),
    ]


def test_income_year_must_be_the_path_year(landing: Path, db: Path) -> None:
    write_survey(landing, [household("H01")], [member("H01", 1)], [income("H01", year=2022)])
    run_all(landing, db)
    assert quarantine(db, "income") == [
        (IN, 2, "income_year", "year differs from the year in the file path")
    ]


def test_transfer_parts_may_not_exceed_transfer_income(landing: Path, db: Path) -> None:
    write_survey(
        landing,
        [household("H01"), household("H02")],
        [member("H01", 1), member("H02", 2)],
        [
            income("H01", 转移性收入="300", **{"其中：低保金": "300"}),
            income("H02", 转移性收入="299", **{"其中：低保金": "300"}),
        ],
    )
    run_all(landing, db)
    assert loaded_ids(db, "income") == ["H01"]
    assert quarantine(db, "income") == [
        (IN, 3, "transfer_income", "parts of transfer income together exceed transfer income")
    ]


def test_one_income_row_per_household_and_year(landing: Path, db: Path) -> None:
    write_survey(landing, [household("H01")], [member("H01", 1)], [income("H01"), income("H01")])
    run_all(landing, db)
    assert [q[3] for q in quarantine(db, "income")] == [
        "more than one income row for the household and year"
    ] * 2


# -- monitoring episodes and measures -----------------------------------------------------


def test_episode_of_unknown_household_is_quarantined(landing: Path, db: Path) -> None:
    standard_survey(landing)
    write_csv(
        landing / "monitoring" / "2023" / f"{COUNTY}.csv",
        EPISODE_HEADER,
        [episode("H01"), episode("H55")],
    )
    run_all(landing, db)
    assert quarantine(db, "monitoring_episodes") == [
        (
            f"monitoring/2023/{COUNTY}.csv",
            3,
            "household_id",
            "household not among the loaded survey households of any year",
        )
    ]


def test_episode_dates_must_be_in_order(landing: Path, db: Path) -> None:
    standard_survey(landing)
    write_csv(
        landing / "monitoring" / "2023" / f"{COUNTY}.csv",
        EPISODE_HEADER,
        [
            episode("H01", 识别认定日期="2023-03-31"),
            episode("H02", 风险消除日期="2023-04-09"),
            episode(
                "H02",
                风险发现日期="2023-05-01",
                识别认定日期="2023-05-01",
                风险消除日期="2023-05-01",
                风险类型="因病，因残",
            ),
        ],
    )
    run_all(landing, db)
    assert [(q[1], q[2]) for q in quarantine(db, "monitoring_episodes")] == [
        (2, "identified_date"),
        (3, "eliminated_date"),
    ]
    assert query(db, "select risk_types from raw.monitoring_episodes") == [("因病、因残",)]


def test_measure_rules_unique_id_known_household_and_dates(landing: Path, db: Path) -> None:
    standard_survey(landing)
    write_csv(
        landing / "measures" / "2023" / f"{COUNTY}.csv",
        MEASURE_HEADER,
        [
            measure("M1", "H01"),
            measure("M2", "H01", 结束日期="2023-04-30"),
            measure("M3", "H88"),
            measure("M4", "H02", 资金金额="-1"),
            measure("M5", "H02", 结束日期="2023-05-01"),
        ],
    )
    write_csv(
        landing / "measures" / "2022" / f"{COUNTY}.csv",
        MEASURE_HEADER,
        [measure("M1", "H02", 开始日期="2022-05-01")],
    )
    run_all(landing, db)
    assert loaded_ids(db, "measures", "measure_id") == ["M5"]
    assert [(q[0][9:13], q[2]) for q in quarantine(db, "measures")] == [
        ("2022", "measure_id"),
        ("2023", "measure_id"),
        ("2023", "end_date"),
        ("2023", "household_id"),
        ("2023", "amount_yuan"),
    ]


# -- regions ------------------------------------------------------------------------------


def test_region_level_must_match_the_code_and_parent_must_exist(landing: Path, db: Path) -> None:
    rows = [
        *REGIONS,
        ["530102001003", "错级村", "township", "530102001000", "", ""],
        ["530102002001", "孤村", "village", "530102002000", "", ""],
        ["530102003000", "无上级镇", "township", "", "", ""],
    ]
    write_csv(landing / "reference" / "regions.csv", REGIONS_HEADER, rows)
    run_all(landing, db)
    assert [(q[1], q[2], q[3]) for q in quarantine(db, "regions")] == [
        (11, "level", "level does not match the shape of the region code"),
        (12, "parent_code", "parent code is not a region in the file"),
        (13, "parent_code", "parent code missing for a region below province"),
    ]


def test_region_under_a_quarantined_parent_is_quarantined(landing: Path, db: Path) -> None:
    rows = [list(r) for r in REGIONS]
    rows[3][2] = "county"  # 530102001000 is a township: its villages lose their parent
    write_csv(landing / "reference" / "regions.csv", REGIONS_HEADER, rows)
    run_all(landing, db)
    assert [(q[1], q[2], q[3]) for q in quarantine(db, "regions")] == [
        (5, "level", "level does not match the shape of the region code"),
        (6, "parent_code", "parent region is quarantined"),
        (7, "parent_code", "parent region is quarantined"),
    ]


def test_every_group_has_a_result_in_dependency_order(landing: Path, db: Path) -> None:
    results = ingest_all(landing, db, RUN_DATE)
    assert [r.group for r in results] == list(SOURCE_GROUPS)


def test_monitoring_workbook_reads_its_first_sheet(landing: Path, db: Path) -> None:
    standard_survey(landing)
    write_xlsx(
        landing / "monitoring" / "2023" / f"{COUNTY}.xlsx",
        {"Sheet1": [EPISODE_HEADER, episode("H01")], "Sheet2": [["x"]]},
    )
    results = run_all(landing, db)
    [row] = results["monitoring_episodes"].ledger
    assert (row.sheet, row.status, row.rows_loaded) == ("Sheet1", "loaded", 1)


def test_utf16_csv_with_bom_is_read(landing: Path, db: Path) -> None:
    standard_survey(landing)
    write_csv(
        landing / "monitoring" / "2023" / f"{COUNTY}.csv",
        EPISODE_HEADER,
        [episode("H01")],
        encoding="utf-16",
    )
    run_all(landing, db)
    assert query(db, "select household_id, category from raw.monitoring_episodes") == [
        ("H01", "脱贫不稳定户")
    ]
