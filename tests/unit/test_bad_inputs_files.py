"""The bad-input corpus, whole files: headers, text encodings, CSV dialects, workbooks and
paths (SPEC §3, §7.4). The machinery, and how a case reads, are in test_bad_inputs.py.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from tests.unit.landing import (
    EPISODE_HEADER,
    HOUSEHOLD_HEADER,
    INCOME_HEADER,
    MEASURE_HEADER,
    MEMBER_HEADER,
    RUN_DATE,
    YEAR,
    write_csv,
)
from tests.unit.test_bad_inputs import (
    Case,
    Corpus,
    Expected,
    Unit,
    assert_outcome,
    assert_run,
    cache_formula_value,
    catalogue,
    csv_text,
    ep,
    file_reason,
    hh,
    in_raw,
    inc,
    loaded,
    mem,
    ms,
    q,
    rejected,
    row_reason,
    rows_are,
    run_corpus,
    xlsx,
)

CASES: list[Case] = []
case = catalogue(CASES)


FILES = "Files and headers"


@case(
    FILES,
    "empty file",
    "0-byte `monitoring/2023/<county>.csv`",
    "rejected",
    file_reason("file_empty"),
)
def empty_file(u: Unit) -> Expected:
    u.path(u.monitoring()).write_bytes(b"")
    return Expected([rejected(u.monitoring(), "monitoring_episodes", file_reason("file_empty"))])


@case(
    FILES,
    "empty workbook file",
    "0-byte `measures/2023/<county>.xlsx`",
    "rejected",
    file_reason("file_empty"),
)
def empty_workbook_file(u: Unit) -> Expected:
    u.path(u.measures("xlsx")).write_bytes(b"")
    return Expected([rejected(u.measures("xlsx"), "measures", file_reason("file_empty"))])


@case(
    FILES,
    "empty sheet",
    "a workbook whose only sheet has no cell",
    "rejected",
    file_reason("file_empty"),
)
def empty_sheet(u: Unit) -> Expected:
    xlsx(u.path(u.monitoring("xlsx")), {"Sheet1": []})
    return Expected(
        [
            rejected(
                u.monitoring("xlsx"),
                "monitoring_episodes",
                file_reason("file_empty"),
                sheet="Sheet1",
            )
        ]
    )


@case(
    FILES,
    "only empty lines",
    "a CSV of line breaks and commas (`\\n\\n,,,,\\n`)",
    "rejected",
    file_reason("file_empty"),
)
def only_empty_lines(u: Unit) -> Expected:
    u.path(u.monitoring()).write_bytes(b"\n\n,,,,\n")
    return Expected([rejected(u.monitoring(), "monitoring_episodes", file_reason("file_empty"))])


@case(FILES, "header only", "the header row and no data row", "loaded")
def header_only(u: Unit) -> Expected:
    write_csv(u.path(u.monitoring()), EPISODE_HEADER, [])
    return Expected([loaded(u.monitoring(), "monitoring_episodes", 0)])


@case(
    FILES,
    "no header row",
    "measure rows without their header (the first row is taken for the unrecognised header)",
    "rejected",
    file_reason("no_header"),
)
def no_header(u: Unit) -> Expected:
    u.households()
    write_csv(u.path(u.measures()), None, [ms(u, 1, 1), ms(u, 2, 1)])
    reason = file_reason("no_header")
    return Expected(
        [rejected(u.measures(), "measures", reason, read=1)],
        [q(u.measures(), 2, "(header)", reason)],
    )


@case(
    FILES,
    "title rows above the header",
    "a workbook with a title row and an empty row before the header; a bad amount in row 5",
    "quarantined",
    row_reason("below_min", min="0"),
)
def title_rows_above_header(u: Unit) -> Expected:
    u.households()
    xlsx(
        u.path(u.measures("xlsx")),
        {
            "帮扶措施": [
                ["2023年帮扶措施台账"],
                [],
                MEASURE_HEADER,
                ms(u, 1, 1),
                ms(u, 2, 1, 资金金额="-5"),
            ]
        },
    )
    file = u.measures("xlsx")
    return Expected(
        [loaded(file, "measures", 2, 1, sheet="帮扶措施")],
        [q(file, 5, "amount_yuan", row_reason("below_min", min="0"), sheet="帮扶措施")],
        check=in_raw("measures", "source_row_number", [(4,)], source_file=file),
    )


@case(
    FILES,
    "missing required column",
    "members.csv without 身份证号",
    "rejected",
    file_reason("missing_columns", columns_zh="身份证号", columns_en="id_number"),
)
def missing_required_column(u: Unit) -> Expected:
    header = [h for h in MEMBER_HEADER if h != "身份证号"]
    cells = [c for h, c in zip(MEMBER_HEADER, mem(u, 1, 1), strict=True) if h != "身份证号"]
    u.survey([hh(u, 1)], [])
    write_csv(u.path(u.members_csv()), header, [cells])
    reason = file_reason("missing_columns", columns_zh="身份证号", columns_en="id_number")
    return Expected(
        [rejected(u.members_csv(), "members", reason, read=1)],
        [q(u.members_csv(), 2, "id_number", reason)],
    )


@case(
    FILES,
    "duplicated column",
    "measures with both 资金金额 and 金额 (two names of amount_yuan)",
    "rejected",
    file_reason("duplicate_column", columns_zh="资金金额", columns_en="amount_yuan"),
)
def duplicated_column(u: Unit) -> Expected:
    u.households()
    write_csv(u.path(u.measures()), [*MEASURE_HEADER, "金额"], [[*ms(u, 1, 1), "1200"]])
    reason = file_reason("duplicate_column", columns_zh="资金金额", columns_en="amount_yuan")
    return Expected(
        [rejected(u.measures(), "measures", reason, read=1)],
        [q(u.measures(), 2, "amount_yuan", reason)],
    )


@case(
    FILES,
    "unknown column",
    "an extra column 备注 in the monitoring ledger (ignored, named in the ledger message)",
    "loaded",
    file_reason("ignored_columns", columns="备注"),
)
def unknown_column(u: Unit) -> Expected:
    u.households()
    write_csv(u.path(u.monitoring()), [*EPISODE_HEADER, "备注"], [[*ep(u, 1), "电话回访"]])
    note = file_reason("ignored_columns", columns="备注")
    return Expected([loaded(u.monitoring(), "monitoring_episodes", 1, note=note)])


@case(
    FILES,
    "decorated headers",
    "`户 编 号`, `工资性收入（元）`, `ｏｐｅｒａｔｉｎｇ＿ｉｎｃｏｍｅ`, `*转移性收入`, "
    "`其中：低保金（元）`",
    "loaded",
)
def decorated_headers(u: Unit) -> Expected:
    header = [
        "户 编 号",
        " 年度 ",
        "工资性收入（元）",
        "ｏｐｅｒａｔｉｎｇ＿ｉｎｃｏｍｅ",
        "生产经营性支出(元)",
        "财产性收入【元】",
        "*转移性收入",
        "其中：低保金（元）",
    ]
    u.survey([hh(u, 1)], [mem(u, 1, 1)])
    write_csv(u.path(u.income_csv()), header, [inc(u, 1)])

    check = in_raw(
        "income",
        "wage_income, operating_income, transfer_dibao",
        [(Decimal("12000"), Decimal("3000"), Decimal("300"))],
        household_id=u.hid(1),
    )
    return Expected([loaded(u.income_csv(), "income", 1)], check=check)


@case(
    FILES,
    "English code names as headers",
    "household_id, category, risk_types … as the header",
    "loaded",
)
def english_headers(u: Unit) -> Expected:
    u.households()
    header = [
        "household_id", "category", "risk_types", "discovery_channel", "risk_found_date",
        "identified_date", "eliminated_date",
    ]  # fmt: skip
    write_csv(u.path(u.monitoring()), header, [ep(u, 1)])
    return Expected([loaded(u.monitoring(), "monitoring_episodes", 1)])


TEXT = "Text encodings and CSV dialects"


@case(
    TEXT, "GB18030 / GBK file", "a survey folder saved as GB18030 with the name 欧阳娜娜", "loaded"
)
def gb18030_file(u: Unit) -> Expected:
    u.survey([hh(u, 1, 户主姓名="欧阳娜娜")], [mem(u, 1, 1, 姓名="欧阳娜娜")], encoding="gb18030")

    check = in_raw("households", "head_name", [("欧阳娜娜",)], household_id=u.hid(1))
    return Expected(
        [loaded(u.households_csv(), "households", 1), loaded(u.members_csv(), "members", 1)],
        check=check,
    )


@case(TEXT, "UTF-8 with BOM", "a monitoring ledger saved by Excel as “CSV UTF-8”", "loaded")
def utf8_with_bom(u: Unit) -> Expected:
    u.households()
    write_csv(u.path(u.monitoring()), EPISODE_HEADER, [ep(u, 1)], encoding="utf-8-sig")
    return Expected([loaded(u.monitoring(), "monitoring_episodes", 1)])


@case(TEXT, "UTF-16 text, tab-separated", "Excel’s “Unicode text” export renamed .csv", "loaded")
def utf16_tab_separated(u: Unit) -> Expected:
    u.households()
    u.path(u.monitoring()).write_bytes(csv_text(EPISODE_HEADER, [ep(u, 1)], "\t").encode("utf-16"))
    return Expected([loaded(u.monitoring(), "monitoring_episodes", 1)])


MIXED = file_reason(
    "mixed_encodings",
    utf8_lines_zh="3",
    utf8_lines_en="3",
    other_lines_zh="1、2",
    other_lines_en="1, 2",
)


@case(
    TEXT,
    "mixed encodings within a file",
    "header and row 2 in GB18030, row 3 pasted in as UTF-8",
    "rejected",
    MIXED,
)
def mixed_encodings(u: Unit) -> Expected:
    u.households(2)
    lines = csv_text(EPISODE_HEADER, [ep(u, 1), ep(u, 2)]).splitlines(keepends=True)
    data = (lines[0] + lines[1]).encode("gb18030") + lines[2].encode("utf-8")
    u.path(u.monitoring()).write_bytes(data)
    return Expected([rejected(u.monitoring(), "monitoring_episodes", MIXED)])


@case(
    TEXT,
    "unknown encoding",
    "bytes that are neither UTF-8 nor GB18030 (0xFF)",
    "rejected",
    file_reason("undecodable"),
)
def unknown_encoding(u: Unit) -> Expected:
    u.path(u.monitoring()).write_bytes("户编号,监测对象类别\n".encode() + b"\xff\xfe\x80\xff\n")
    return Expected([rejected(u.monitoring(), "monitoring_episodes", file_reason("undecodable"))])


@case(TEXT, "semicolon delimiter", "a monitoring ledger separated by `;`", "loaded")
def semicolon_delimiter(u: Unit) -> Expected:
    u.households()
    u.path(u.monitoring()).write_text(
        csv_text(EPISODE_HEADER, [ep(u, 1, 风险类型="因病,因残")], ";")
    )

    check = in_raw("monitoring_episodes", "risk_types", [("因病、因残",)], household_id=u.hid(1))
    return Expected([loaded(u.monitoring(), "monitoring_episodes", 1)], check=check)


@case(TEXT, "tab delimiter", "a measures ledger separated by tabs, amount `1,200`", "loaded")
def tab_delimiter(u: Unit) -> Expected:
    u.households()
    u.path(u.measures()).write_text(csv_text(MEASURE_HEADER, [ms(u, 1, 1, 资金金额="1,200")], "\t"))

    check = in_raw("measures", "amount_yuan", [(Decimal("1200"),)], measure_id=u.mid(1))
    return Expected([loaded(u.measures(), "measures", 1)], check=check)


@case(
    TEXT,
    "full-width comma delimiter",
    "cells separated by `，` typed with a Chinese input method",
    "loaded",
)
def full_width_comma_delimiter(u: Unit) -> Expected:
    u.households()
    u.path(u.monitoring()).write_text(
        "\n".join("，".join(r) for r in [EPISODE_HEADER, ep(u, 1)]) + "\n"
    )
    return Expected([loaded(u.monitoring(), "monitoring_episodes", 1)])


@case(
    TEXT,
    "line breaks inside quoted cells",
    "措施内容 over two lines in row 2; a bad amount in row 4 keeps its row number",
    "quarantined",
    row_reason("below_min", min="0"),
)
def quoted_line_breaks(u: Unit) -> Expected:
    u.households()
    rows = [ms(u, 1, 1, 措施内容="医疗救助\n慢病签约"), ms(u, 2, 1), ms(u, 3, 1, 资金金额="-1")]
    u.path(u.measures()).write_text(csv_text(MEASURE_HEADER, rows))

    check = in_raw("measures", "detail", [("医疗救助\n慢病签约",)], measure_id=u.mid(1))
    return Expected(
        [loaded(u.measures(), "measures", 3, 1)],
        [q(u.measures(), 4, "amount_yuan", row_reason("below_min", min="0"))],
        check=check,
    )


@case(
    TEXT,
    "empty lines between rows",
    "empty lines after rows 2 and 4; the bad amount on line 7 is reported as row 7",
    "quarantined",
    row_reason("below_min", min="0"),
)
def empty_lines_between_rows(u: Unit) -> Expected:
    u.households()
    lines = csv_text(
        MEASURE_HEADER, [ms(u, 1, 1), ms(u, 2, 1), ms(u, 3, 1, 资金金额="-1")]
    ).splitlines()
    u.path(u.measures()).write_text(
        "\n".join([lines[0], lines[1], "", lines[2], "", "", lines[3]]) + "\n\n"
    )
    return Expected(
        [loaded(u.measures(), "measures", 3, 1)],
        [q(u.measures(), 7, "amount_yuan", row_reason("below_min", min="0"))],
    )


@case(
    TEXT,
    "trailing empty rows (CSV)",
    "rows of commas only and empty lines after the data",
    "loaded",
)
def trailing_empty_rows_csv(u: Unit) -> Expected:
    u.households()
    u.path(u.measures()).write_text(
        csv_text(MEASURE_HEADER, [ms(u, 1, 1)]) + ",,,,,,,\n" * 3 + "\n\n"
    )
    return Expected([loaded(u.measures(), "measures", 1)])


WORKBOOKS = "Workbooks"


def _survey_sheets(u: Unit, size: int = 1) -> dict[str, list[list[object]]]:
    return {
        "户信息": [HOUSEHOLD_HEADER, hh(u, 1, size)],
        "成员信息": [MEMBER_HEADER, *(mem(u, 1, s) for s in range(1, size + 1))],
        "收入信息": [INCOME_HEADER, inc(u, 1)],
    }


@case(
    WORKBOOKS,
    "trailing empty rows (xlsx)",
    "formatted but empty rows and empty-string cells below the data",
    "loaded",
)
def trailing_empty_rows_xlsx(u: Unit) -> Expected:
    u.households()
    path = xlsx(u.path(u.measures("xlsx")), {"Sheet1": [MEASURE_HEADER, ms(u, 1, 1)]})
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Sheet1"]
    for r in range(3, 30):
        sheet.cell(r, 1).fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")
        sheet.cell(r, 2).value = ""
    workbook.save(path)
    return Expected([loaded(u.measures("xlsx"), "measures", 1, sheet="Sheet1")])


@case(
    WORKBOOKS,
    "several sheets",
    "a monitoring workbook whose first sheet is 填表说明 and second 监测对象台账",
    "loaded",
)
def several_sheets(u: Unit) -> Expected:
    u.households()
    file = u.monitoring("xlsx")
    xlsx(u.path(file), {"填表说明": [["按户填写"]], "监测对象台账": [EPISODE_HEADER, ep(u, 1)]})
    return Expected(
        [loaded(file, "monitoring_episodes", 1, sheet="监测对象台账")], ignored=[f"{file}#填表说明"]
    )


@case(
    WORKBOOKS,
    "missing sheet",
    "a survey workbook without 收入信息 (the other sheets load)",
    "rejected",
    file_reason("sheet_missing", sheet="收入信息"),
)
def missing_sheet(u: Unit) -> Expected:
    sheets = _survey_sheets(u)
    del sheets["收入信息"]
    xlsx(u.path(u.workbook()), sheets)
    return Expected(
        [
            loaded(u.workbook(), "households", 1, sheet="户信息"),
            loaded(u.workbook(), "members", 1, sheet="成员信息"),
            rejected(u.workbook(), "income", file_reason("sheet_missing", sheet="收入信息")),
        ]
    )


@case(
    WORKBOOKS,
    "two sheets for one table",
    "a survey workbook with both 收入信息 and 收入",
    "rejected",
    file_reason("sheet_ambiguous", sheet="收入信息", sheets="收入信息、收入"),
)
def ambiguous_sheets(u: Unit) -> Expected:
    sheets = _survey_sheets(u)
    sheets["收入"] = sheets["收入信息"]
    xlsx(u.path(u.workbook()), sheets)
    reason = file_reason("sheet_ambiguous", sheet="收入信息", sheets="收入信息、收入")
    return Expected(
        [rejected(u.workbook(), "income", reason)],
        ignored=[f"{u.workbook()}#收入", f"{u.workbook()}#收入信息"],
    )


@case(
    WORKBOOKS,
    "merged header cells",
    "收入信息 under a title merged across the sheet, with a two-row header: 户编号 … 转移性收入 "
    "merged over rows 2–3, 其中 over the four parts named in row 3",
    "loaded",
)
def merged_header_cells(u: Unit) -> Expected:
    sheets = _survey_sheets(u)
    title = ["2023年收入信息采集表"]
    top = ["户编号", "年度", "工资性收入", "生产经营性收入", "生产经营性支出", "财产性收入"]
    top += ["转移性收入", "其中"]
    parts = [None] * 7 + ["低保金", "特困供养金", "养老金", "生态补偿金"]
    data = [u.hid(1), 2023, 12000, 3000, 1000, 200, 1500, 300, 0, 600, 0]
    sheets["收入信息"] = [title, top, parts, data]
    merged = ["A1:K1", *(f"{c}2:{c}3" for c in "ABCDEFG"), "H2:K2"]
    xlsx(u.path(u.workbook()), sheets, merged={"收入信息": merged})
    sql = (
        "select source_row_number, transfer_income, transfer_dibao, transfer_pension, transfer_eco "
        f"from raw.income where household_id = '{u.hid(1)}'"
    )
    expected = [(4, Decimal("1500"), Decimal("300"), Decimal("600"), Decimal("0"))]
    return Expected(
        [loaded(u.workbook(), "income", 1, sheet="收入信息")], check=rows_are(sql, expected)
    )


@case(
    WORKBOOKS,
    "merged data cells",
    "成员信息 with 户编号 merged over the two member rows of a household",
    "loaded",
)
def merged_data_cells(u: Unit) -> Expected:
    sheets = _survey_sheets(u, size=2)
    sheets["成员信息"][2][0] = None
    xlsx(u.path(u.workbook()), sheets, merged={"成员信息": ["A2:A3"]})
    return Expected(
        [loaded(u.workbook(), "members", 2, sheet="成员信息")],
        check=in_raw(
            "members",
            "household_id, source_row_number",
            [(u.hid(1), 2), (u.hid(1), 3)],
            county_code=u.county,
        ),
    )


@case(
    WORKBOOKS, "formula cells", "转移性收入 written as `=H2+1200`, saved with its value", "loaded"
)
def formula_cells(u: Unit) -> Expected:
    sheets = _survey_sheets(u)
    sheets["收入信息"][1][6] = "=H2+1200"
    path = xlsx(u.path(u.workbook()), {"收入信息": sheets.pop("收入信息"), **sheets})
    cache_formula_value(path, "G2", "1500")
    return Expected(
        [loaded(u.workbook(), "income", 1, sheet="收入信息")],
        check=in_raw("income", "transfer_income", [(Decimal("1500"),)], household_id=u.hid(1)),
    )


@case(
    WORKBOOKS,
    "formula cells without a saved value",
    "a formula written by a program that never computed it (openpyxl): the cell reads empty",
    "quarantined",
    row_reason("required"),
)
def formula_without_value(u: Unit) -> Expected:
    sheets = _survey_sheets(u)
    sheets["收入信息"][1][6] = "=H2+1200"
    xlsx(u.path(u.workbook()), sheets)
    return Expected(
        [loaded(u.workbook(), "income", 1, 1, sheet="收入信息")],
        [q(u.workbook(), 2, "transfer_income", row_reason("required"), sheet="收入信息")],
    )


EXCEL_DAY_0 = date(1899, 12, 30)


@case(
    WORKBOOKS,
    "dates as Excel serial numbers",
    "开始日期 45078 (a number cell) = 2023-06-01",
    "loaded",
)
def dates_as_serial_numbers(u: Unit) -> Expected:
    u.households()
    row: list[object] = list(ms(u, 1, 1))
    row[MEASURE_HEADER.index("开始日期")] = (date(2023, 6, 1) - EXCEL_DAY_0).days
    row[MEASURE_HEADER.index("结束日期")] = datetime(2023, 12, 31)
    xlsx(u.path(u.measures("xlsx")), {"Sheet1": [MEASURE_HEADER, row]})
    return Expected(
        [loaded(u.measures("xlsx"), "measures", 1, sheet="Sheet1")],
        check=in_raw(
            "measures",
            "start_date, end_date",
            [(date(2023, 6, 1), date(2023, 12, 31))],
            measure_id=u.mid(1),
        ),
    )


@case(
    WORKBOOKS,
    "numbers stored as text",
    "amounts, 家庭人口数 and codes as text cells (`'12000`)",
    "loaded",
)
def numbers_stored_as_text(u: Unit) -> Expected:
    sheets = _survey_sheets(u)
    sheets["收入信息"][1] = [u.hid(1), "2023", "12000.50", " 3000", "1000", "200", "1500", "300"]
    xlsx(u.path(u.workbook()), sheets)
    return Expected(
        [loaded(u.workbook(), "income", 1, sheet="收入信息")],
        check=in_raw(
            "income",
            "income_year, wage_income, operating_income",
            [(2023, Decimal("12000.50"), Decimal("3000"))],
            household_id=u.hid(1),
        ),
    )


@case(
    WORKBOOKS,
    "ID number stored as a number",
    "身份证号 typed as a number cell: Excel keeps 15 significant digits",
    "quarantined",
    row_reason("id_as_number"),
)
def id_stored_as_number(u: Unit) -> Expected:
    sheets = _survey_sheets(u)
    sheets["成员信息"][1][MEMBER_HEADER.index("身份证号")] = int(u.person(1))
    xlsx(u.path(u.workbook()), sheets)
    return Expected(
        [loaded(u.workbook(), "members", 1, 1, sheet="成员信息")],
        [q(u.workbook(), 2, "id_number", row_reason("id_as_number"), sheet="成员信息")],
    )


# calamine's own words for a zip without its directory at the end
TRUNCATED = file_reason("workbook_unreadable", error="invalid Zip archive: Could not find EOCD")


@case(
    WORKBOOKS,
    "truncated workbook",
    "an .xlsx cut off halfway (a broken download: the zip has no directory)",
    "rejected",
    TRUNCATED,
)
def truncated_workbook(u: Unit) -> Expected:
    u.households()
    path = xlsx(u.path(u.monitoring("xlsx")), {"Sheet1": [EPISODE_HEADER, ep(u, 1)]})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return Expected([rejected(u.monitoring("xlsx"), "monitoring_episodes", TRUNCATED)])


@case(
    WORKBOOKS,
    "CSV named .xlsx",
    "a CSV file renamed to .xlsx",
    "rejected",
    file_reason("workbook_is_text"),
)
def csv_named_xlsx(u: Unit) -> Expected:
    u.households()
    write_csv(u.path(u.monitoring("xlsx")), EPISODE_HEADER, [ep(u, 1)])
    return Expected(
        [rejected(u.monitoring("xlsx"), "monitoring_episodes", file_reason("workbook_is_text"))]
    )


@case(
    WORKBOOKS,
    "picture named .xlsx",
    "a PNG screenshot saved as .xlsx",
    "rejected",
    file_reason("not_a_spreadsheet", format="PNG"),
)
def picture_named_xlsx(u: Unit) -> Expected:
    u.path(u.measures("xlsx")).write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    reason = file_reason("not_a_spreadsheet", format="PNG")
    return Expected([rejected(u.measures("xlsx"), "measures", reason)])


@case(
    WORKBOOKS,
    "web page named .xlsx",
    "an HTML table exported by a web system as an “Excel” file",
    "rejected",
    file_reason("not_a_spreadsheet", format="HTML"),
)
def web_page_named_xlsx(u: Unit) -> Expected:
    cells = "".join(f"<td>{c}</td>" for c in EPISODE_HEADER)
    html = f'<html><head><meta charset="utf-8"></head><body><table><tr>{cells}</tr></table>'
    u.path(u.monitoring("xlsx")).write_text(html + "</body></html>\n", encoding="utf-8")
    reason = file_reason("not_a_spreadsheet", format="HTML")
    return Expected([rejected(u.monitoring("xlsx"), "monitoring_episodes", reason)])


@case(
    WORKBOOKS,
    "workbook named .csv",
    "an .xlsx workbook renamed to .csv",
    "rejected",
    file_reason("csv_is_workbook"),
)
def workbook_named_csv(u: Unit) -> Expected:
    u.households()
    data = xlsx(u.landing / f"{u.county}.tmp.xlsx", {"Sheet1": [EPISODE_HEADER, ep(u, 1)]})
    data.rename(u.path(u.monitoring()))
    return Expected(
        [rejected(u.monitoring(), "monitoring_episodes", file_reason("csv_is_workbook"))]
    )


PATHS = "Paths"


@case(
    PATHS,
    "county that does not exist",
    "`measures/2023/<county>.csv` for a county code not in regions.csv",
    "rejected",
    file_reason("county_unknown"),
    county_in_regions=False,
)
def county_unknown(u: Unit) -> Expected:
    write_csv(u.path(u.measures()), MEASURE_HEADER, [ms(u, 1, 1)])
    reason = file_reason("county_unknown", county=u.county)
    return Expected(
        [rejected(u.measures(), "measures", reason, read=1)],
        [q(u.measures(), 2, "county_code", reason)],
    )


@case(PATHS, "12-digit county code in the path", "`monitoring/2023/<county>000000.csv`", "loaded")
def county_in_twelve_digits(u: Unit) -> Expected:
    u.households()
    file = f"monitoring/{YEAR}/{u.county}000000.csv"
    write_csv(u.path(file), EPISODE_HEADER, [ep(u, 1)])
    return Expected(
        [loaded(file, "monitoring_episodes", 1)],
        check=in_raw("monitoring_episodes", "county_code", [(u.county,)], source_file=file),
    )


YEAR_2013 = file_reason("year_out_of_range", year=2013, year_min=2014, year_max=RUN_DATE.year)


@case(
    PATHS,
    "year out of range in the path",
    "`monitoring/2013/<county>.csv` (before 2014)",
    "rejected",
    YEAR_2013,
)
def year_out_of_range(u: Unit) -> Expected:
    file = u.monitoring(year=2013)
    write_csv(u.path(file), EPISODE_HEADER, [ep(u, 1)])
    return Expected(
        [rejected(file, "monitoring_episodes", YEAR_2013, read=1)], [q(file, 2, "year", YEAR_2013)]
    )


@case(
    PATHS,
    "survey year without a monitoring line",
    "`survey/2021/<county>/` while monitoring_lines.csv has 2022 and 2023 only (dbt fails later, "
    "naming the province and year)",
    "loaded",
)
def year_without_monitoring_line(u: Unit) -> Expected:
    u.survey([hh(u, 1, 采集日期="2021-12-01")], [mem(u, 1, 1)], [inc(u, 1, 年度="2021")], year=2021)
    return Expected(
        [
            loaded(u.households_csv(2021), "households", 1),
            loaded(u.members_csv(2021), "members", 1),
            loaded(u.income_csv(2021), "income", 1),
        ],
        check=in_raw("households", "year, household_id", [(2021, u.hid(1))], county_code=u.county),
    )


@case(
    PATHS,
    "file name that matches no pattern",
    "`monitoring/2023/<county>.xls`, `measures/2023/<county>帮扶措施.xlsx`",
    "ignored",
)
def unrecognised_file_name(u: Unit) -> Expected:
    u.path(f"monitoring/{YEAR}/{u.county}.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    xlsx(u.path(f"measures/{YEAR}/{u.county}帮扶措施.xlsx"), {"Sheet1": [MEASURE_HEADER]})
    return Expected(
        [],
        ignored=[f"measures/{YEAR}/{u.county}帮扶措施.xlsx", f"monitoring/{YEAR}/{u.county}.xls"],
    )


# -- the tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return run_corpus(tmp_path_factory.mktemp("bad_inputs"), CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_has_its_exact_outcome(case: Case, corpus: Corpus) -> None:
    assert_outcome(case, corpus)


def test_the_run_goes_on_and_accounts_for_every_row(corpus: Corpus) -> None:
    assert_run(corpus)
