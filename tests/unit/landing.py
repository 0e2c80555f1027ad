"""Small hand-written landing areas for the ingestion tests (SPEC §3 layout)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb
import openpyxl

from ingestion.idnumber import check_character

RUN_DATE = date(2024, 6, 30)
YEAR = 2023
COUNTY = "530102"
OTHER_COUNTY = "530103"
VILLAGE = "530102001001"
OTHER_VILLAGE = "530103001001"

REGIONS_HEADER = ["区划代码", "名称", "级别", "上级代码", "重点帮扶县", "是否脱贫县"]
REGIONS = [
    ["530000000000", "云南省", "province", "", "", ""],
    ["530100000000", "昆明市", "city", "530000000000", "", ""],
    ["530102000000", "五华区", "county", "530100000000", "none", "否"],
    ["530102001000", "华山街道", "township", "530102000000", "", ""],
    ["530102001001", "一村", "village", "530102001000", "", ""],
    ["530102001002", "二村", "village", "530102001000", "", ""],
    ["530103000000", "盘龙区", "county", "530100000000", "national", "是"],
    ["530103001000", "拓东街道", "township", "530103000000", "", ""],
    ["530103001001", "三村", "village", "530103001000", "", ""],
]
LINES_HEADER = ["province_code", "year", "line_yuan"]
LINES = [["53", "2022", "7000"], ["53", "2023", "8050"]]

HOUSEHOLD_HEADER = [
    "户编号", "行政区划代码", "户主姓名", "户主身份证号", "家庭人口数", "是否脱贫户",
    "是否易地扶贫搬迁户", "住房安全", "饮水安全", "义务教育保障", "基本医疗保障", "联系电话",
    "采集日期",
]  # fmt: skip
MEMBER_HEADER = [
    "户编号", "姓名", "身份证号", "与户主关系", "健康状况", "劳动技能", "在校生状况", "务工区域",
    "务工月数", "参加医保",
]  # fmt: skip
INCOME_HEADER = [
    "户编号", "年度", "工资性收入", "生产经营性收入", "生产经营性支出", "财产性收入", "转移性收入",
    "其中：低保金",
]  # fmt: skip
EPISODE_HEADER = [
    "户编号", "监测对象类别", "风险类型", "发现方式", "风险发现日期", "识别认定日期", "风险消除日期"
]  # fmt: skip
MEASURE_HEADER = [
    "措施编号", "户编号", "措施类别", "措施内容", "开始日期", "结束日期", "资金金额", "资金来源"
]  # fmt: skip


def id_number(county: str = COUNTY, birth: str = "19800101", seq: int = 1) -> str:
    """A valid 18-character ID number."""
    first17 = f"{county}{birth}{seq:03d}"
    return first17 + check_character(first17)


def household(hid: str, size: int = 1, **cells: str) -> list[str]:
    """A households row (columns of HOUSEHOLD_HEADER); `cells` override by header."""
    row = dict(zip(HOUSEHOLD_HEADER, [
        hid, VILLAGE, "王大", id_number(seq=int(hid[-2:]) * 10), str(size), "是", "否", "是", "是",
        "是", "是", "", f"{YEAR}-12-01",
    ], strict=True))  # fmt: skip
    row.update(cells)
    return list(row.values())


def member(hid: str, seq: int, **cells: str) -> list[str]:
    """A members row; `seq` makes the ID number unique."""
    values = [hid, "王二", id_number(seq=seq), "户主", "健康", "普通劳动力", "非在校生", "县内"]
    row = dict(zip(MEMBER_HEADER, [*values, "10", "是"], strict=True))
    row.update(cells)
    return list(row.values())


def income(hid: str, year: int = YEAR, **cells: str) -> list[str]:
    """An income row."""
    row = dict(zip(INCOME_HEADER, [hid, str(year), "12000", "3000", "1000", "200", "1500", "300"],
                   strict=True))  # fmt: skip
    row.update(cells)
    return list(row.values())


def episode(hid: str, **cells: str) -> list[str]:
    """A monitoring episode row."""
    row = dict(zip(EPISODE_HEADER, [
        hid, "脱贫不稳定户", "因病", "基层干部排查", "2023-04-01", "2023-04-10", "",
    ], strict=True))  # fmt: skip
    row.update(cells)
    return list(row.values())


def measure(mid: str, hid: str, **cells: str) -> list[str]:
    """A measure row."""
    row = dict(zip(MEASURE_HEADER, [
        mid, hid, "健康帮扶", "医疗救助", "2023-05-01", "", "1200", "行业资金",
    ], strict=True))  # fmt: skip
    row.update(cells)
    return list(row.values())


def write_csv(
    path: Path, header: Sequence[str] | None, rows: Sequence[Sequence[str]], encoding: str = "utf-8"
) -> Path:
    """Write a CSV file (header first unless None)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    """Write a workbook with one sheet per entry (rows as given, header included)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def write_reference(landing: Path) -> None:
    """regions.csv and monitoring_lines.csv."""
    write_csv(landing / "reference" / "regions.csv", REGIONS_HEADER, REGIONS)
    write_csv(landing / "reference" / "monitoring_lines.csv", LINES_HEADER, LINES)


def write_survey(
    landing: Path,
    households: Sequence[Sequence[str]],
    members: Sequence[Sequence[str]],
    incomes: Sequence[Sequence[str]] = (),
    year: int = YEAR,
    county: str = COUNTY,
    encoding: str = "utf-8",
) -> Path:
    """A survey unit as a folder of three CSV files."""
    folder = landing / "survey" / str(year) / county
    write_csv(folder / "households.csv", HOUSEHOLD_HEADER, households, encoding)
    write_csv(folder / "members.csv", MEMBER_HEADER, members, encoding)
    write_csv(folder / "income.csv", INCOME_HEADER, incomes, encoding)
    return folder


def standard_survey(landing: Path) -> None:
    """H01 (two members) and H02 (one member) in county 530102, 2023, all valid."""
    write_survey(
        landing,
        [household("H01", size=2), household("H02")],
        [member("H01", 1), member("H01", 2, 与户主关系="配偶"), member("H02", 3)],
        [income("H01"), income("H02")],
    )


def query(db: Path, sql: str, params: Sequence[object] = ()) -> list[tuple]:
    """Rows of a query on the restricted store."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def quarantine(db: Path, source: str) -> list[tuple]:
    """(file, row_number, column_name, reason_en) of a source's quarantined rows."""
    return query(
        db,
        "select file, row_number, column_name, reason_en from audit.quarantine "
        "where source = ? order by file, row_number",
        [source],
    )
