"""Readers: a landing CSV file or workbook sheet → a DuckDB temp table of text cells.

Every reader produces the same shape: a temp table of VARCHAR columns (named by position)
holding the cells as read, one row per spreadsheet row, header row(s) included, so that
`rowid + 1` is the row number a spreadsheet shows. Nothing here knows about sources or rules.
"""

from __future__ import annotations

import codecs
import datetime as dt
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


def utf8_path(path: Path, out: Path) -> tuple[Path, str]:
    """A UTF-8 version of a text file and its encoding: the file itself, or `out` transcoded."""
    with path.open("rb") as f:
        head = f.read(4)
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
            return out, encoding
        out.unlink(missing_ok=True)
    raise FileRejected("undecodable")


def _csv_sql(table: str, options: str) -> str:
    # header=false: the header row is read as cells, exactly as written (repeated or empty
    # names included); skip=0 and the quote/escape settings keep the sniffer from dropping
    # leading lines or guessing an exotic dialect; all_varchar: every cell stays text
    return (
        f"create or replace temp table {table} as select * from read_csv($path, header = false, "
        "all_varchar = true, skip = 0, null_padding = true, strict_mode = false, "
        f"quote = '\"', escape = '\"'{options})"
    )


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
    """Load a CSV file into temp `table`; returns its columns and first rows."""
    if path.stat().st_size == 0:
        raise FileRejected("file_empty")
    source, _ = utf8_path(path, workdir / f"{table}.csv")
    params = {"path": str(source)}
    try:
        try:
            con.execute(_csv_sql(table, ""), params)
        except duckdb.Error as exc:
            # quoted line breaks together with short rows need the single-threaded reader
            if "parallel" not in str(exc):
                raise
            con.execute(_csv_sql(table, ", parallel = false"), params)
        start = _start(con, table, first_rows)
        if len(start.columns) == 1 and start.rows and "," in (start.rows[0][0] or ""):
            # the sniffer settles on one column when it cannot parse the file with commas;
            # read it with commas to report the real error (or read it right)
            con.execute(_csv_sql(table, ", delim = ','"), params)
            start = _start(con, table, first_rows)
    except duckdb.Error as exc:
        # DuckDB names the file it read (maybe a temporary copy); the ledger names it already
        error = _first_line(exc).replace(f'"{source}"', "").replace(str(source), "")
        raise FileRejected("csv_unreadable", error=error) from exc
    finally:
        if source != path:
            source.unlink(missing_ok=True)
    return start


def _text(value: str) -> str | None:
    return value if value != "" else None


def _number(value: float) -> str:
    # Excel stores every number as a float: 3.0 is the integer 3, 530102001001.0 a code
    return str(int(value)) if value.is_integer() else repr(value)


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


def open_workbook(path: Path) -> CalamineWorkbook:
    """Open a workbook, or FileRejected when it is corrupt or not a workbook."""
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own zip/xml/password errors
        raise FileRejected("workbook_unreadable", error=_first_line(exc)) from exc


def read_sheet_table(
    con: duckdb.DuckDBPyConnection,
    workbook: CalamineWorkbook,
    sheet: str,
    table: str,
    first_rows: int = 10,
) -> TableStart:
    """Load one sheet into temp `table`, list row i being spreadsheet row i + 1."""
    try:
        rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise FileRejected("workbook_unreadable", error=_first_line(exc)) from exc
    if not any(rows):
        raise FileRejected("file_empty")
    columns = {f"column{i}": _text_array(cells) for i, cells in enumerate(zip_longest(*rows))}
    arrow_table = pa.table(columns)
    view = f"{table}_arrow"
    con.register(view, arrow_table)
    try:
        con.execute(f"create or replace temp table {table} as select * from {view}")
    finally:
        con.unregister(view)
    head = arrow_table.slice(0, first_rows).to_pylist()
    return TableStart(list(columns), [tuple(r.values()) for r in head])
