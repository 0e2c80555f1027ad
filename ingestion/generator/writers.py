"""Writing landing files: CSV (csv module, several encodings) and XLSX (reporting/xlsx.py).

XLSX files are byte-identical for identical content: every part of the package carries a fixed
date.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ingestion.generator.measures import NO_AMOUNT
from reporting.xlsx import Workbook

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _amount_text(cents: np.ndarray, blank_zero: bool = False) -> list[str]:
    """Cents as yuan with two decimals ("-12.05"), exact; empty where not given."""
    cents = np.asarray(cents, dtype=np.int64)
    if not len(cents):
        return []
    blank = (cents == NO_AMOUNT) | ((cents == 0) if blank_zero else False)
    whole = np.abs(np.where(blank, 0, cents))
    sign = np.where(cents < 0, "-", "")
    text = np.strings.add(np.strings.add(sign, (whole // 100).astype(str)), ".")
    text = np.strings.add(text, np.strings.zfill((whole % 100).astype(str), 2))
    return np.where(blank, "", text).tolist()


def _date_text(dates: np.ndarray) -> np.ndarray:
    text = np.datetime_as_string(dates.astype("datetime64[D]"), unit="D")
    return np.where(np.isnat(dates), "", text)


def csv_column(values: np.ndarray, kind: str, blank_zero: bool = False) -> list:
    """A typed column as the strings a CSV file holds."""
    if kind == "amount":
        return _amount_text(values, blank_zero)
    if kind == "date":
        return _date_text(values).tolist()
    if kind == "bool":
        return np.where(values, "是", "否").tolist()
    return values.tolist()  # text, and whole numbers the csv module writes itself


def xlsx_column(values: np.ndarray, kind: str, blank_zero: bool = False) -> list:
    """A typed column as cell values: numbers for amounts and counts, text otherwise."""
    if kind == "amount":
        missing = (values == NO_AMOUNT) | ((values == 0) if blank_zero else False)
        cells = (values / 100).astype(object)
        cells[missing] = None
        return cells.tolist()
    if kind == "int":
        return values.tolist()
    if kind == "date":
        text = _date_text(values).astype(object)
        text[text == ""] = None
        return text.tolist()
    if kind == "bool":
        return np.where(values, "是", "否").tolist()
    cells = values.astype(object)
    cells[cells == ""] = None
    return cells.tolist()


def write_csv(
    path: Path, header: list[str], columns: list[list[str]], encoding: str = "utf-8"
) -> int:
    """Write one CSV file; Excel-style CRLF line ends for BOM and GB18030 files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    terminator = "\n" if encoding == "utf-8" else "\r\n"
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator=terminator)
        writer.writerow(header)
        writer.writerows(zip(*columns, strict=True))
    return path.stat().st_size


def append_csv(
    path: Path, header: list[str], columns: list[list[str]], encoding: str = "utf-8"
) -> int:
    """Append rows to a CSV file, writing the header (and a BOM) only when it is new; the bytes
    added. Line ends as in write_csv."""
    terminator = "\n" if encoding == "utf-8" else "\r\n"
    new = not path.exists()
    if new:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif encoding == "utf-8-sig":
        encoding = "utf-8"  # the BOM is at the start of the file already
    before = 0 if new else path.stat().st_size
    with path.open("a", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator=terminator)
        if new:
            writer.writerow(header)
        writer.writerows(zip(*columns, strict=True))
    return path.stat().st_size - before


def write_xlsx(path: Path, sheets: list[tuple[str, list[str], list[list]]]) -> int:
    """Write a workbook of (sheet name, header, columns) with the project's streaming writer
    (inline strings, as openpyxl writes them too); the file's size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with Workbook(path, date_time=_ZIP_TIME) as workbook:
        for title, header, columns in sheets:
            with workbook.sheet(title) as sheet:
                sheet.append(header)
                for row in zip(*columns, strict=True):
                    sheet.append(row)
    return path.stat().st_size
