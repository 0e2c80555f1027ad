"""Writing landing files: CSV (csv module, several encodings) and XLSX (openpyxl write-only).

XLSX files are byte-identical for identical content: fixed document timestamps and fixed
zip entry dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from ingestion.generator.measures import NO_AMOUNT

FIXED_TIME = dt.datetime(2020, 1, 1)
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


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


class _StableZipFile(zipfile.ZipFile):
    """A ZipFile whose entries carry a fixed date instead of the time of writing."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = _zip_info(str(zinfo_or_arcname))
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        info = _zip_info(str(arcname or filename))
        with open(filename, "rb") as src, self.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


def write_xlsx(path: Path, sheets: list[tuple[str, list[str], list[list]]]) -> int:
    """Write a workbook of (sheet name, header, columns) with openpyxl in write-only mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    wb.properties.creator = "fangpin"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    for title, header, columns in sheets:
        ws = wb.create_sheet(title)
        ws.append(header)
        for row in zip(*columns, strict=True):
            ws.append(row)
    with _StableZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return path.stat().st_size
