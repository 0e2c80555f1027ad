"""A streaming writer of Office Open XML workbooks (.xlsx) for the focus lists.

A province's focus lists hold about five million cells. openpyxl, even in its write-only mode,
builds a cell object, binds its value and emits an XML element for each of them (about 90 µs
per row of ten cells here); this writer formats a row of cells as one string and streams it
into the zip member of its sheet, which is what the lists need and nothing more: text, numbers,
dates, a fixed set of cell styles (STYLES), column widths, frozen panes and an auto-filter.

Text is written as inline strings. Characters that XML 1.0 cannot carry (control characters
other than tab and line breaks) are replaced by U+FFFD, so that a stray byte in a landing file
cannot make the workbook unreadable.
"""

from __future__ import annotations

import math
import os
import re
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

# cell styles, by name → index of the cellXfs entry in styles.xml
STYLES: dict[str, int] = {"title": 1, "header": 2, "header_wrap": 3, "date": 4, "decimal": 5}
_DATE_FORMAT_ID = 164
_STYLES_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="{_DATE_FORMAT_ID}" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="3">
<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>
<font><b/><sz val="13"/><name val="Calibri"/><family val="2"/></font>
</fonts>
<fills count="3">
<fill><patternFill patternType="none"/></fill>
<fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFDDE6F0"/><bgColor indexed="64"/>
</patternFill></fill>
</fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"
 applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>
<xf numFmtId="{_DATE_FORMAT_ID}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>
"""
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_EPOCH_TIME = datetime(1899, 12, 30)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
# a sheet name may not hold these, begin or end with an apostrophe, nor be longer than 31
# characters (Excel's limits)
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]|^'|'$")


@dataclass(frozen=True)
class Styled:
    """A cell value with one of the STYLES."""

    value: Any
    style: str


def column_letter(index: int) -> str:
    """A, B, … Z, AA … for the 1-based column `index`."""
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text(value: str) -> str:
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("\ufffd", value)
    escaped = value.translate(_ESCAPES)
    if escaped != escaped.strip(" \t\r\n"):
        return f'<is><t xml:space="preserve">{escaped}</t></is>'
    return f"<is><t>{escaped}</t></is>"


def _cell(ref: str, value: Any, style: int = 0) -> str:
    """One <c> element, or '' for an empty cell without a style."""
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>' if style else ""
    kind = type(value)
    if kind is str:
        return f'<c r="{ref}"{s} t="inlineStr">{_text(value)}</c>'
    if kind is bool:
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if kind is int:
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if kind is float or kind is Decimal:
        number = float(value)
        if not math.isfinite(number):
            return f'<c r="{ref}"{s} t="inlineStr">{_text(str(value))}</c>'
        return f'<c r="{ref}"{s}><v>{number!r}</v></c>'
    if kind is datetime or kind is date:
        # a date without a style of its own is shown as one, not as its serial number
        s = s or f' s="{STYLES["date"]}"'
        if kind is date:
            return f'<c r="{ref}"{s}><v>{(value - _EXCEL_EPOCH).days}</v></c>'
        serial = (value.replace(tzinfo=None) - _EXCEL_EPOCH_TIME).total_seconds() / 86400
        return f'<c r="{ref}"{s}><v>{serial!r}</v></c>'
    if kind is Styled:
        return _cell(ref, value.value, STYLES[value.style])
    return f'<c r="{ref}"{s} t="inlineStr">{_text(str(value))}</c>'


class SheetWriter:
    """Rows of one sheet, appended in order."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._letters: list[str] = []
        self.rows = 0

    def append(self, cells: Sequence[Any]) -> None:
        """The next row; a cell is a value (str, int, float, Decimal, date, datetime, bool,
        None) or Styled. Dates are shown as yyyy-mm-dd unless styled otherwise."""
        self.rows += 1
        n = self.rows
        letters = self._letters
        while len(letters) < len(cells):
            letters.append(column_letter(len(letters) + 1))
        body = "".join(
            _cell(f"{letter}{n}", value) for letter, value in zip(letters, cells, strict=False)
        )
        self._stream.write(f'<row r="{n}">{body}</row>'.encode())


class Workbook:
    """A workbook written sheet by sheet to `path` (through a temporary file beside it)."""

    def __init__(
        self,
        path: Path,
        compresslevel: int = 6,
        date_time: tuple[int, int, int, int, int, int] | None = None,
    ) -> None:
        """`date_time`, when given, is the time of every part of the package, so that the
        same cells give the same bytes (otherwise the time of writing)."""
        self.path = Path(path)
        self._tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self._zip = zipfile.ZipFile(
            self._tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel
        )
        self._date_time = date_time
        self._sheets: list[tuple[str, str | None]] = []

    def _entry(self, name: str) -> zipfile.ZipInfo:
        """A part of the package as ZipFile.open(name, "w") would make it, dated `date_time`."""
        info = zipfile.ZipInfo(name, date_time=self._date_time or time.localtime()[:6])
        info.compress_type = self._zip.compression
        info._compresslevel = self._zip.compresslevel  # as ZipFile.open(name) sets it
        info.external_attr = 0o600 << 16
        return info

    @contextmanager
    def sheet(
        self,
        name: str,
        widths: dict[int, float] | None = None,
        freeze: tuple[int, int] | None = None,
        autofilter: str | None = None,
    ) -> Iterator[SheetWriter]:
        """A sheet named `name`: column widths by 1-based column, `freeze` the number of
        (columns, rows) kept in view, `autofilter` a range such as 'A4:J900'."""
        if not name or len(name) > 31 or _SHEET_NAME_FORBIDDEN.search(name):
            raise ValueError(f"not a valid sheet name: {name!r}")
        if name in (n for n, _ in self._sheets):
            raise ValueError(f"two sheets named {name!r}")
        self._sheets.append((name, autofilter))
        index = len(self._sheets)
        entry = self._entry(f"xl/worksheets/sheet{index}.xml")
        with self._zip.open(entry, "w", force_zip64=True) as stream:
            stream.write(
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'.encode()
            )
            stream.write(_sheet_view(index == 1, freeze).encode())
            stream.write(b'<sheetFormatPr defaultRowHeight="15"/>')
            if widths:
                cols = "".join(
                    f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>'
                    for c, w in sorted(widths.items())
                )
                stream.write(f"<cols>{cols}</cols>".encode())
            stream.write(b"<sheetData>")
            writer = SheetWriter(stream)
            yield writer
            stream.write(b"</sheetData>")
            if autofilter:
                stream.write(f'<autoFilter ref="{autofilter}"/>'.encode())
            stream.write(b"</worksheet>")

    def close(self) -> None:
        """Write the package's parts and move the workbook into place."""
        try:
            if not self._sheets:
                raise ValueError("a workbook needs at least one sheet")
            self._write_package()
            self._zip.close()
            os.replace(self._tmp, self.path)
        except BaseException:
            self._discard()
            raise

    def _discard(self) -> None:
        self._zip.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is None:
            self.close()
        else:
            self._discard()

    def _write_package(self) -> None:
        n = len(self._sheets)
        sheet_overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
            for i in range(1, n + 1)
        )
        self._part(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{sheet_overrides}</Types>",
        )
        self._part(
            "_rels/.rels",
            f'<Relationships xmlns="{_PACKAGE_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name="{_attribute(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _) in enumerate(self._sheets, start=1)
        )
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{_attribute(_quoted(name))}!{_absolute(autofilter)}</definedName>"
            for i, (name, autofilter) in enumerate(self._sheets)
            if autofilter
        )
        defined = f"<definedNames>{filters}</definedNames>" if filters else ""
        self._part(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>{defined}</workbook>",
        )
        relations = "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        self._part(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PACKAGE_REL}">{relations}'
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        self._zip.writestr(self._entry("xl/styles.xml"), _STYLES_XML)

    def _part(self, name: str, xml: str) -> None:
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        self._zip.writestr(self._entry(name), head + xml)


def _sheet_view(selected: bool, freeze: tuple[int, int] | None) -> str:
    tab = ' tabSelected="1"' if selected else ""
    if not freeze or freeze == (0, 0):
        return f'<sheetViews><sheetView{tab} workbookViewId="0"/></sheetViews>'
    columns, rows = freeze
    top_left = f"{column_letter(columns + 1)}{rows + 1}"
    split = (f' xSplit="{columns}"' if columns else "") + (f' ySplit="{rows}"' if rows else "")
    pane = "bottomRight" if columns and rows else "topRight" if columns else "bottomLeft"
    return (
        f'<sheetViews><sheetView{tab} workbookViewId="0">'
        f'<pane{split} topLeftCell="{top_left}" activePane="{pane}" state="frozen"/>'
        f'<selection pane="{pane}" activeCell="{top_left}" sqref="{top_left}"/>'
        "</sheetView></sheetViews>"
    )


def _attribute(text: str) -> str:
    return text.translate(_ESCAPES)


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _absolute(reference: str) -> str:
    """'A4:J900' → '$A$4:$J$900'."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in reference.split(":"))
