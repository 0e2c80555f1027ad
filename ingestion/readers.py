"""Readers: a landing CSV file or workbook sheet → a DuckDB table of text cells.

Every reader produces the same shape: a table of VARCHAR columns (named by position) holding
the cells as read, one row per spreadsheet row, header row(s) included, so that `rowid + 1` is
the row number a spreadsheet shows. The caller names the table (it may be qualified by an
attached in-memory catalog, which every connection of the database sees, so that files can be
read on several connections at once). Nothing here knows about sources or rules.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook

CHUNK_BYTES = 1 << 20
# UTF-8 (with or without BOM) is read by DuckDB as it is; GB18030 (a superset of GBK) and
# UTF-16 with a BOM are transcoded to a temporary UTF-8 file first
_UTF8 = ("utf-8", "utf-8-sig")
# a line of Chinese text that is valid UTF-8 in a file that is not: GB18030 would decode it
# into nonsense without an error, so such a file is rejected rather than loaded garbled
_CJK = re.compile("[\u3400-\u9fff]")
MIXED_EXAMPLES = 3
# what a file holds by its first bytes, for files whose extension does not say what they are
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls, or an encrypted .xlsx
_OTHER_FORMATS = {
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF8": "GIF",
    b"%PDF": "PDF",
    b"Rar!": "RAR",
    b"7z\xbc\xaf": "7z",
}
# a merged cell whose top row is among the first rows may be part of a header of several rows
HEADER_BAND_ROWS = 10


class FileRejected(Exception):
    """A whole file or sheet cannot be read; `reason` is a key of `files` in reasons.yaml."""

    def __init__(self, reason: str, **details: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


def _first_line(exc: BaseException, limit: int = 200) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:limit]


def _decodes(path: Path, encoding: str, out: Path | None = None) -> bool:
    """True when the whole file decodes; streamed, and written as UTF-8 to `out` if given."""
    decoder = codecs.getincrementaldecoder(encoding)()
    sink = out.open("w", encoding="utf-8", newline="") if out is not None else None
    try:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK_BYTES):
                text = decoder.decode(chunk)
                if sink is not None:
                    sink.write(text)
            tail = decoder.decode(b"", final=True)
            if sink is not None:
                sink.write(tail)
        return True
    except UnicodeDecodeError:
        return False
    finally:
        if sink is not None:
            sink.close()


def _line_bounds(text: str, i: int) -> tuple[int, int]:
    """Start and end (the line break or the end of `text`) of the line holding position i."""
    end = text.find("\n", i)
    return text.rfind("\n", 0, i) + 1, len(text) if end < 0 else end


def _mixed_lines(path: Path) -> tuple[list[int], list[int]]:
    """A few lines (numbered from 1) that are UTF-8 Chinese text, and a few that are not UTF-8.

    For a file that is not UTF-8 as a whole; streamed a megabyte of whole lines at a time.
    """
    utf8: list[int] = []
    other: list[int] = []
    line, carry = 1, b""
    with path.open("rb") as f:
        while True:
            chunk = f.read(CHUNK_BYTES)
            data = carry + chunk
            cut = data.rfind(b"\n") + 1 if chunk else len(data)
            text, carry = data[:cut].decode("utf-8", "replace"), data[cut:]
            position = 0
            while len(utf8) < MIXED_EXAMPLES and (cjk := _CJK.search(text, position)):
                start, end = _line_bounds(text, cjk.start())
                if "\ufffd" not in text[start:end]:
                    utf8.append(line + text.count("\n", 0, start))
                position = end + 1
            position = 0
            while len(other) < MIXED_EXAMPLES and (bad := text.find("\ufffd", position)) >= 0:
                start, end = _line_bounds(text, bad)
                other.append(line + text.count("\n", 0, start))
                position = end + 1
            line += text.count("\n")
            if not chunk or len(utf8) == len(other) == MIXED_EXAMPLES:
                return utf8, other


def _text_head(path: Path) -> bytes:
    """The first bytes of a file named .csv; rejects a workbook or another format."""
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith((_ZIP, _OLE2)):
        raise FileRejected("csv_is_workbook")
    for magic, name in _OTHER_FORMATS.items():
        if head.startswith(magic):
            raise FileRejected("not_a_spreadsheet", format=name)
    return head


def utf8_path(path: Path, out: Path) -> tuple[Path, str]:
    """A UTF-8 version of a text file and its encoding: the file itself, or `out` transcoded."""
    head = _text_head(path)
    candidates: list[str] = []
    if head.startswith(codecs.BOM_UTF8):
        candidates.append("utf-8-sig")
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates.append("utf-16")
    candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        if encoding in _UTF8:
            if _decodes(path, encoding):
                return path, encoding
            continue
        if _decodes(path, encoding, out):
            utf8, other = _mixed_lines(path) if encoding == "gb18030" else ([], [])
            if not utf8:
                return out, encoding
            out.unlink(missing_ok=True)
            raise FileRejected(
                "mixed_encodings",
                utf8_lines_zh="、".join(map(str, utf8)),
                utf8_lines_en=", ".join(map(str, utf8)),
                other_lines_zh="、".join(map(str, other)),
                other_lines_en=", ".join(map(str, other)),
            )
        out.unlink(missing_ok=True)
    raise FileRejected("undecodable")


def _csv_sql(table: str, options: str) -> str:
    # header=false: the header row is read as cells, exactly as written (repeated or empty
    # names included); skip=0 and the quote/escape settings keep the sniffer from dropping
    # leading lines or guessing an exotic dialect; all_varchar: every cell stays text
    return (
        f"create or replace table {table} as select * from read_csv($path, header = false, "
        "all_varchar = true, skip = 0, null_padding = true, strict_mode = false, "
        f"quote = '\"', escape = '\"'{options})"
    )


def _has_empty_line(path: Path) -> bool:
    """True when the file holds an empty line (streamed; a quoted cell may hold one too)."""
    with path.open("rb") as f:
        if f.read(5).removeprefix(codecs.BOM_UTF8).startswith((b"\n", b"\r\n")):
            return True
        f.seek(0)
        carry = b""
        while chunk := f.read(CHUNK_BYTES):
            data = carry + chunk
            if b"\n\n" in data or b"\n\r\n" in data:
                return True
            carry = data[-2:]
    return False


def _empty_lines(path: Path) -> list[int]:
    """For each empty line outside a quoted cell, how many records come before it.

    DuckDB skips empty lines where a spreadsheet shows an empty row, which would shift the row
    numbers of every later row. The line-by-line pass runs only for files with an empty line.
    """
    if not _has_empty_line(path):
        return []
    before: list[int] = []
    records, quoted = 0, False
    with path.open("rb") as f:
        for line in f:
            if not quoted and line.removeprefix(codecs.BOM_UTF8) in (b"\n", b"\r\n"):
                before.append(records)
                continue
            if line.count(b'"') % 2:
                quoted = not quoted
            if not quoted:
                records += 1
    # empty lines after the last record change no row number
    return [k for k in before if k < records]


def _put_back_empty_rows(con: duckdb.DuckDBPyConnection, table: str, before: list[int]) -> None:
    """Insert an empty row into `table` for each empty line, so rowid + 1 is the row number."""
    con.execute(
        f"create or replace table {table}_rows as select * exclude (_at) from ("
        "  with empty as (select unnest($before) as k),"
        "  upto as (select k, sum(count(*)) over (order by k) as n from empty group by k)"
        "  select t.rowid + coalesce(u.n, 0) as _at, t.*"
        f"  from {table} t asof left join upto u on t.rowid >= u.k"
        "  union all by name"
        "  select k + row_number() over (order by k) - 1 as _at from empty"
        ") order by _at",
        {"before": before},
    )
    con.execute(f"drop table {table}")
    con.execute(f"alter table {table}_rows rename to {table.rsplit('.', 1)[-1]}")


@dataclass(frozen=True)
class TableStart:
    """What a reader loaded: its column names and the first rows, in file order."""

    columns: list[str]
    rows: list[tuple[Any, ...]]


def _start(con: duckdb.DuckDBPyConnection, table: str, n: int) -> TableStart:
    # a plain scan with a limit returns the first rows in file order
    cursor = con.execute(f"select * from {table} limit {int(n)}")
    rows = cursor.fetchall()
    return TableStart([d[0] for d in cursor.description], rows)


def read_csv_table(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, workdir: Path, first_rows: int = 10
) -> TableStart:
    """Load a CSV file into `table`; returns its columns and first rows."""
    if path.stat().st_size == 0:
        raise FileRejected("file_empty")
    head = _text_head(path)
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # DuckDB checks that every byte it reads is UTF-8: most files are, and are read as
        # they are; a file it cannot read is looked at byte by byte below (encoding, then the
        # error DuckDB gives for the UTF-8 version)
        try:
            return _load_csv(con, path, table, first_rows)
        except duckdb.Error:
            pass
    source, _ = utf8_path(path, workdir / f"{table}.csv")
    try:
        return _load_csv(con, source, table, first_rows)
    except duckdb.Error as exc:
        # DuckDB names the file it read (maybe a temporary copy); the ledger names it already
        error = _first_line(exc).replace(f'"{source}"', "").replace(str(source), "")
        raise FileRejected("csv_unreadable", error=error) from exc
    finally:
        if source != path:
            source.unlink(missing_ok=True)


def _load_csv(
    con: duckdb.DuckDBPyConnection, source: Path, table: str, first_rows: int
) -> TableStart:
    """read_csv of a UTF-8 file into `table`, with the row numbers a spreadsheet shows."""
    params = {"path": str(source)}
    try:
        con.execute(_csv_sql(table, ""), params)
    except duckdb.Error as exc:
        # quoted line breaks together with short rows need the single-threaded reader
        if "parallel" not in str(exc):
            raise
        con.execute(_csv_sql(table, ", parallel = false"), params)
    start = _start(con, table, first_rows)
    first = (start.rows[0][0] or "") if len(start.columns) == 1 and start.rows else ""
    # the sniffer settles on one column when it cannot parse the file with commas (read it
    # with commas to report the real error, or read it right), and when they are full-width
    # commas typed with a Chinese input method
    delimiter = next((d for d in (",", "，") if d in first), None)
    if delimiter is not None:
        con.execute(_csv_sql(table, f", delim = '{delimiter}'"), params)
        start = _start(con, table, first_rows)
    empty_lines = _empty_lines(source)
    if empty_lines:
        _put_back_empty_rows(con, table, empty_lines)
        start = _start(con, table, first_rows)
    return start


def _text(value: str) -> str | None:
    return value if value != "" else None


def _number(value: float) -> str:
    # Excel stores every number as a float: 3.0 is the integer 3, 530102001001.0 a code. From
    # 2**53 on a float no longer holds every integer: an 18-digit ID number typed as a number
    # has lost its last digits, so it stays in scientific notation and fails every rule
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _datetime(value: dt.datetime) -> str:
    if value.time() == dt.time(0, 0):
        return value.date().isoformat()
    return value.isoformat(sep=" ")


_CELL: dict[type, Callable[[Any], str | None]] = {
    str: _text,
    float: _number,
    int: str,
    bool: lambda v: "true" if v else "false",
    dt.datetime: _datetime,
    dt.date: lambda v: v.isoformat(),
    dt.time: lambda v: v.isoformat(),
    dt.timedelta: str,
}


def cell_text(value: object) -> str | None:
    """A workbook cell as text: integral floats without `.0`, dates ISO, empty → None."""
    convert = _CELL.get(type(value))
    if convert is None:
        return None if value is None else str(value)
    return convert(value)


def _text_array(cells: Sequence[object]) -> pa.Array:
    """A column of cells as an arrow string array, empty cells NULL."""
    try:
        # a column of text only (the usual case) converts in C
        text = pa.array(cells, type=pa.string())
        return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([cell_text(v) for v in cells], type=pa.string())


def _is_text(head: bytes) -> bool:
    """True when the first bytes of a file read as text in one of the landing encodings."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head)
            return True
        except UnicodeDecodeError:
            continue
    return False


def open_workbook(path: Path) -> CalamineWorkbook:
    """Open a workbook, or FileRejected when it is empty, corrupt or not a workbook."""
    with path.open("rb") as f:
        head = f.read(4096)
    if not head:
        raise FileRejected("file_empty")
    if not head.startswith((_ZIP, _OLE2)):
        for magic, name in _OTHER_FORMATS.items():
            if head.startswith(magic):
                raise FileRejected("not_a_spreadsheet", format=name)
        # web systems export "Excel" files that are HTML tables
        if re.search(rb"<(!doctype html|html|table)[\s>]", head[:1024].lower()):
            raise FileRejected("not_a_spreadsheet", format="HTML")
        if _is_text(head):
            raise FileRejected("workbook_is_text")
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own zip/xml/password errors
        raise FileRejected("workbook_unreadable", error=_first_line(exc)) from exc


# a merged range: ((first row, first column), (last row, last column)), 0-based
MergedRange = tuple[tuple[int, int], tuple[int, int]]


def _filled(rows: list[list[Any]], r: int, c: int) -> bool:
    return c < len(rows[r]) and rows[r][c] not in (None, "")


def _header_bands(rows: list[list[Any]], merged: list[MergedRange]) -> list[tuple[int, int]]:
    """(first row, last row) of each header written over several rows with merged cells.

    A band starts at a merged cell among the first rows and takes in the rows of every merged
    cell that starts within it: one merged down (户编号 over two rows) or across (a title over
    the sheet, 其中 over the columns named in the row below). Above its last row, every filled
    cell is a merged cell's own (top-left) cell or has nothing below it in the band; data rows,
    even with a merged cell, fill the cells under each other, and are never a band.
    """
    corners = {first for first, _ in merged}
    ordered = sorted(merged)
    bands: list[tuple[int, int]] = []
    for (top, _), _ in ordered:
        if top >= HEADER_BAND_ROWS or (bands and top <= bands[-1][1]):
            continue
        bottom = top
        for (r0, c0), (r1, c1) in ordered:
            if top <= r0 <= bottom:
                bottom = max(bottom, r1 if r1 > r0 else r0 + 1 if c1 > c0 else r0)
        if bottom == top or bottom >= len(rows):
            continue
        if all(
            (r, c) in corners or not any(_filled(rows, b, c) for b in range(r + 1, bottom + 1))
            for r in range(top, bottom)
            for c in range(len(rows[r]))
            if _filled(rows, r, c)
        ):
            bands.append((top, bottom))
    return bands


def _unmerge(rows: list[list[Any]], merged: list[MergedRange]) -> None:
    """Resolve merged cells in place, as a person reading the sheet sees them.

    A cell merged over several rows holds its value in each of them (户编号 merged over a
    household's member rows). A header written over several rows becomes one row, its last:
    each column takes its lowest name and the rows above are emptied, so that row numbers
    stay as the spreadsheet shows them.
    """
    bands = _header_bands(rows, merged)
    for (r0, c0), (r1, _) in merged:
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            if c0 < len(rows[r]):
                rows[r][c0] = rows[r0][c0]
    for top, bottom in bands:
        for c in range(len(rows[bottom])):
            names = [rows[r][c] for r in range(top, bottom + 1) if _filled(rows, r, c)]
            for r in range(top, bottom):
                if c < len(rows[r]):
                    rows[r][c] = None
            rows[bottom][c] = names[-1] if names else None


def read_sheet_table(
    con: duckdb.DuckDBPyConnection,
    workbook: CalamineWorkbook,
    sheet: str,
    table: str,
    first_rows: int = 10,
) -> TableStart:
    """Load one sheet into `table`, list row i being spreadsheet row i + 1."""
    try:
        worksheet = workbook.get_sheet_by_name(sheet)
        rows = worksheet.to_python(skip_empty_area=False)
        merged = worksheet.merged_cell_ranges
    except Exception as exc:
        raise FileRejected("workbook_unreadable", error=_first_line(exc)) from exc
    if merged:
        _unmerge(rows, merged)
    if not any(rows):
        raise FileRejected("file_empty")
    columns = {f"column{i}": _text_array(cells) for i, cells in enumerate(zip_longest(*rows))}
    arrow_table = pa.table(columns)
    view = f"{table.rsplit('.', 1)[-1]}_arrow"
    con.register(view, arrow_table)
    try:
        con.execute(f"create or replace table {table} as select * from {view}")
    finally:
        con.unregister(view)
    head = arrow_table.slice(0, first_rows).to_pylist()
    return TableStart(list(columns), [tuple(r.values()) for r in head])
