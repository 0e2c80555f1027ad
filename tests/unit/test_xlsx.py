"""The streaming workbook writer of the focus lists, read back by openpyxl and by calamine."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from reporting.xlsx import Styled, Workbook, column_letter
from tests.libreoffice import resaved


def test_column_letters() -> None:
    assert [column_letter(i) for i in (1, 2, 26, 27, 52, 53, 702, 703)] == [
        "A", "B", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def _write(path: Path) -> None:
    with Workbook(path) as workbook:
        with workbook.sheet("概况", widths={1: 28, 3: 40}) as sheet:
            sheet.append([Styled("标题 <季度> & “说明”", "title")])
            sheet.append([])
            sheet.append([Styled("列一", "header"), Styled("列二", "header")])
        with workbook.sheet(
            "名单 'A' 表", widths={2: 22}, freeze=(2, 4), autofilter="A4:F6"
        ) as sheet:
            sheet.append(["title"])
            sheet.append([])
            sheet.append([])
            sheet.append([Styled(h, "header_wrap") for h in ("a", "b", "c", "d", "e", "f")])
            sheet.append(
                [
                    "  leading and trailing  ",
                    Styled(1234.5, "decimal"),
                    Styled(date(2024, 3, 31), "date"),
                    42,
                    True,
                    "bell\x07 and nul\x00",
                ]
            )
            sheet.append(
                [
                    "530121",
                    Decimal("0.10"),
                    datetime(2024, 1, 2, 12, 0),
                    None,
                    float("nan"),
                    "last",
                ]
            )


def test_values_styles_and_views_read_back_by_openpyxl(tmp_path: Path) -> None:
    path = tmp_path / "lists.xlsx"
    _write(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["概况", "名单 'A' 表"]
    overview = workbook["概况"]
    assert overview["A1"].value == "标题 <季度> & “说明”"
    assert overview["A1"].font.b and overview["A1"].font.sz == 13
    assert overview["A3"].font.b and overview["A3"].fill.fgColor.rgb == "FFDDE6F0"
    assert overview.column_dimensions["A"].width == 28
    assert overview.column_dimensions["C"].width == 40
    assert overview.freeze_panes is None

    lists = workbook["名单 'A' 表"]
    assert lists.freeze_panes == "C5"
    assert lists.auto_filter.ref == "A4:F6"
    assert lists.column_dimensions["B"].width == 22
    assert lists["A4"].alignment.wrap_text and lists["A4"].alignment.vertical == "center"
    assert lists["A5"].value == "  leading and trailing  "
    assert lists["B5"].value == 1234.5 and lists["B5"].number_format == "#,##0.00"
    assert lists["C5"].value == datetime(2024, 3, 31)
    assert lists["C5"].number_format == "yyyy-mm-dd"
    assert lists["D5"].value == 42 and lists["D5"].number_format == "General"
    assert lists["E5"].value is True
    assert lists["F5"].value == "bell\ufffd and nul\ufffd"
    assert lists["A6"].value == "530121"
    assert lists["B6"].value == pytest.approx(0.1)
    assert lists["C6"].value == datetime(2024, 1, 2, 12, 0)
    assert lists["C6"].number_format == "yyyy-mm-dd"
    assert lists["D6"].value is None
    assert lists["E6"].value == "nan"
    assert lists["F6"].value == "last"
    assert lists.max_row == 6


def test_values_read_back_by_calamine(tmp_path: Path) -> None:
    path = tmp_path / "lists.xlsx"
    _write(path)
    workbook = CalamineWorkbook.from_path(path)
    assert workbook.sheet_names == ["概况", "名单 'A' 表"]
    rows = workbook.get_sheet_by_name("名单 'A' 表").to_python()
    assert rows[4][:4] == ["  leading and trailing  ", 1234.5, date(2024, 3, 31), 42]
    assert rows[5][0] == "530121"


def test_bad_sheet_names_are_refused_and_leave_no_file(tmp_path: Path) -> None:
    path = tmp_path / "lists.xlsx"
    for name in ("", "a/b", "x" * 32, "'quoted'", "end'"):
        with (
            pytest.raises(ValueError, match="sheet name"),
            Workbook(path) as workbook,
            workbook.sheet(name),
        ):
            pass
    with pytest.raises(ValueError, match="two sheets"), Workbook(path) as workbook:
        with workbook.sheet("a"):
            pass
        with workbook.sheet("a"):
            pass
    with pytest.raises(ValueError, match="at least one sheet"), Workbook(path):
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_previous_workbook(tmp_path: Path) -> None:
    path = tmp_path / "lists.xlsx"
    _write(path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError), Workbook(path) as workbook, workbook.sheet("a") as sheet:
        sheet.append(["half"])
        raise RuntimeError("interrupted")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lists.xlsx"]


def test_libreoffice_opens_the_workbook(tmp_path: Path) -> None:
    """A spreadsheet application, not only a Python reader, takes the workbook: LibreOffice
    opens it and saves it again with the same values, formats, styles and filter."""
    path = tmp_path / "lists.xlsx"
    _write(path)
    workbook = load_workbook(resaved(path, tmp_path))
    assert workbook.sheetnames == ["概况", "名单 'A' 表"]
    overview, lists = workbook["概况"], workbook["名单 'A' 表"]
    assert overview["A1"].value == "标题 <季度> & “说明”" and overview["A1"].font.sz == 13
    assert overview["A3"].fill.fgColor.rgb == "FFDDE6F0"
    assert overview.column_dimensions["A"].width == 28
    assert lists.auto_filter.ref == "A4:F6"
    values = [[cell.value for cell in row] for row in lists.iter_rows(min_row=5, max_row=6)]
    assert values[0][:4] == ["  leading and trailing  ", 1234.5, datetime(2024, 3, 31), 42]
    assert values[0][5] == "bell\ufffd and nul\ufffd"
    assert values[1][:3] == ["530121", 0.1, datetime(2024, 1, 2, 12, 0)]
    assert lists["B5"].number_format == "#,##0.00"
    assert lists["C5"].number_format.replace("\\", "") == "yyyy-mm-dd"
