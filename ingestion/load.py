"""Ingest landing files into the restricted store, one source group at a time (SPEC §3, §7.4).

For each source of a group, the files of a batch (a county's survey year, or the whole group)
are read into DuckDB tables (cells as text; CSV files on several connections at once), mapped
onto the source's columns, checked by the row rules of ingestion/rules.py in a few set-based
statements, and split: good rows typed into `raw.<table>`, every other row read into
`audit.quarantine`, one `audit.ingest_ledger` row per file × sheet. A group replaces everything
it loaded before, in one transaction, and keeps the batches whose inputs did not change
(`ingest_group`).
"""

from __future__ import annotations

import hashlib
import itertools
import queue
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion import store
from ingestion.config import Config, Reason, Source, contract_digest, load_config
from ingestion.discovery import LandingFile, discover, match_file
from ingestion.headers import HeaderMap, map_headers, normalise_header
from ingestion.readers import (
    FileRejected,
    TableStart,
    open_workbook,
    read_csv_table,
    read_sheet_table,
)
from ingestion.rules import (
    HOUSEHOLD_CHILDREN,
    PATH_COLUMNS,
    RowRule,
    bad_rows_sql,
    household_status_sql,
    ident,
    lit,
    reasons_sql,
    region_parent_sql,
    typed_sql,
)

# One Dagster asset per group; groups run in this order, later ones look up earlier raw tables.
SOURCE_GROUPS: dict[str, list[str]] = {
    "regions": ["regions"],
    "monitoring_lines": ["monitoring_lines"],
    "rural_growth": ["rural_growth"],
    "survey": ["households", "members", "income"],
    "monitoring_episodes": ["monitoring_episodes"],
    "measures": ["measures"],
    "sector": [
        "sector_medical",
        "sector_civil_affairs",
        "sector_employment",
        "sector_education",
        "sector_housing",
        "sector_emergency",
        "sector_disability",
    ],
    "applications": ["applications"],
}
# Groups whose rules all compare rows of one survey year only (their unique keys hold the year;
# members and income find their household in the same year): their batches are a county's
# year, `<year>/<county>`. A year is read again whole, or only its changed counties when no
# stored row of its other counties meets theirs in a rule (`_crossings`); a batch whose stored
# rows are still those its files would give is kept (docs/landing-files.md).
YEARLY_GROUPS = frozenset({"survey"})
# Groups none of whose rules compares rows of different files (no `unique` key; a row finds its
# household in other groups' tables): each file is a batch, so a new month's push is read alone.
FILE_GROUPS = frozenset({"monitoring_episodes", "sector", "applications"})
WHOLE_GROUP = "all"  # the one batch of every other group
# the typed columns by which the rules across files of a survey year compare rows (the unique
# keys, a member's or income row's household), stored for quarantined rows in
# audit.quarantine_keys (the loaded rows have them in raw)
CROSS_FILE_KEYS = ("household_id", "id_number")
# the tables a load writes before its transaction puts them in place (raw._next_members, …)
NEXT = "_next_"
# raw tables a group looks up, so the group that loads them must have run
GROUP_NEEDS: dict[str, tuple[str, ...]] = {
    "survey": ("regions",),
    "monitoring_episodes": ("regions", "households"),
    "measures": ("regions", "households"),
    "sector": ("households", "members"),
    "applications": ("households", "members"),
}
# columns of a monthly push (sector records, applications) after its own (sources.yaml, `match`)
MONTHLY_COLUMNS = (
    ("department", "VARCHAR"),
    ("record_month", "DATE"),
    ("household_id", "VARCHAR"),
    ("match_survey_year", "INTEGER"),
)
# a header row is the first of the first rows that names at least this many known columns
HEADER_SEARCH_ROWS = 10
HEADER_MIN_COLUMNS = 2
# The cells of the files are read into an in-memory catalog that every connection of the
# database sees: DuckDB reads a landing CSV of a few megabytes on one thread, so a province's
# thousand files are read on this many connections at once (docs/performance.md).
READ_CATALOG = "landing_cells"
READ_CONNECTIONS = 2
_EXTRA_TYPE = "STRUCT(p INTEGER, k VARCHAR, v VARCHAR)[]"

LEDGER_DDL = """
create table if not exists audit.ingest_ledger (
    file varchar,
    sheet varchar,
    source varchar,
    rows_read bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    status varchar,
    message varchar,
    loaded_at timestamp
)"""
QUARANTINE_DDL = """
create table if not exists audit.quarantine (
    file varchar,
    sheet varchar,
    source varchar,
    row_number integer,
    column_name varchar,
    reason_zh varchar,
    reason_en varchar,
    raw_values json
)"""


# the keys of the quarantined rows of YEARLY_GROUPS (`_crossings`)
QUARANTINE_KEYS_DDL = f"""
create table if not exists audit.quarantine_keys (
    source varchar,
    file varchar,
    row_number integer,
    year integer,
    {", ".join(f"{c} varchar" for c in CROSS_FILE_KEYS)}
)"""
# what each stored batch of a group was loaded from (`ingest_group`)
BATCHES_DDL = """
create table if not exists audit.ingest_batches (
    source_group varchar,
    batch varchar,
    fingerprint varchar,
    loaded_at timestamp
)"""
# what each raw table held when its group last put it in place (`store.content_digest`): a
# group that looks a table up is read again only when the table's rows changed
DIGESTS_DDL = """
create table if not exists audit.raw_digests (
    raw_table varchar,
    digest varchar,
    digested_at timestamp
)"""


class IngestionError(Exception):
    """Ingestion cannot go on: the landing directory or a required reference file is unusable."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


@dataclass(frozen=True)
class LedgerRow:
    """One row of audit.ingest_ledger: a landing file (× sheet) of one source."""

    file: str
    sheet: str | None
    source: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    status: str  # "loaded" or "rejected"
    message: str | None

    def order(self) -> tuple[str, str, str]:
        """The ledger's order: file, sheet, source."""
        return (self.file, self.sheet or "", self.source)


@dataclass
class GroupResult:
    """What one source group loaded: rows per raw table, the ledger rows, files not read."""

    group: str
    rows_loaded: dict[str, int] = field(default_factory=dict)
    rows_quarantined: dict[str, int] = field(default_factory=dict)
    ledger: list[LedgerRow] = field(default_factory=list)
    # files no source reads, and the sheets no source reads of the workbooks read in this run
    files_ignored: list[str] = field(default_factory=list)
    # the batches (a county's survey year, a file, or WHOLE_GROUP) read in this run, and those kept
    batches_read: list[str] = field(default_factory=list)
    batches_kept: list[str] = field(default_factory=list)

    @property
    def files_rejected(self) -> list[LedgerRow]:
        """The ledger rows of files (or sheets) that could not be loaded at all."""
        return [row for row in self.ledger if row.status == "rejected"]


def raw_columns(source: Source) -> list[tuple[str, str]]:
    """(name, type) of `raw.<table>` for a source, in order (docs/architecture.md)."""
    unit = [("year", "INTEGER"), ("county_code", "VARCHAR")] if source.per_unit else []
    own = [(c.name, c.sql_type) for c in source.columns]
    if source.per_month:
        # the household a record matched (its own 户编号 or its member's) sits with the path's
        # department and month, before the provenance
        own = [(n, t) for n, t in own if n != "household_id"] + list(MONTHLY_COLUMNS)
    provenance = [
        ("source_file", "VARCHAR"),
        ("source_sheet", "VARCHAR"),
        ("source_row_number", "INTEGER"),
    ]
    return unit + own + provenance


@dataclass
class _Staged:
    """A file (× sheet) of one source on its way in."""

    file_id: int
    source: Source
    landing: LandingFile
    sheet: str | None = None
    table: str | None = None
    header_row: int = 0
    cells: list[str] = field(default_factory=list)  # column names of the reader's table
    mapping: HeaderMap | None = None
    rejection: tuple[str, Reason] | None = None  # (column_name, reason) for the whole file
    notes: list[Reason] = field(default_factory=list)
    rows_read: int = 0
    rows_quarantined: int = 0

    def reject(self, column: str, reason: Reason) -> None:
        if self.rejection is None:
            self.rejection = (column, reason)

    def message(self, text: Reason | None) -> str | None:
        if text is None:
            return None
        where = f"{self.landing.file} [{self.sheet}]" if self.sheet else self.landing.file
        return f"{where}: {text}"


# a landing file, its staged items and the sheet each item's file pattern names
_Landing = tuple[LandingFile, list[_Staged], list[str | None]]


@dataclass(frozen=True)
class _Read:
    """What reading one table of a landing file gave: its first rows, or why it was rejected."""

    item: _Staged
    table: str | None
    result: TableStart | FileRejected


def _reason_text(reasons: Sequence[Reason]) -> Reason | None:
    if not reasons:
        return None
    return Reason("；".join(r.zh for r in reasons), "; ".join(r.en for r in reasons))


class _GroupRun:
    """The work of one ingest_group call on one connection: read, type, check, load."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        config: Config,
        sources: list[Source],
        run_date: date,
        workdir: Path,
        table_numbers: Iterator[int],
    ) -> None:
        self.con = con
        self.config = config
        self.sources = sources
        self.run_date = run_date
        self.workdir = workdir
        self.staged: dict[str, list[_Staged]] = {s.name: [] for s in sources}
        self.ignored_sheets: list[str] = []
        self._tables = table_numbers
        con.execute(f"attach if not exists ':memory:' as {READ_CATALOG}")

    # -- reading -------------------------------------------------------------------------

    def _new_table(self) -> str:
        return f"{READ_CATALOG}._read_{next(self._tables)}"

    def stage(self, files: Iterable[LandingFile], counties: set[str] | None) -> None:
        """Read every file of the group's sources into tables and map their headers."""
        names = {s.name for s in self.sources}
        landings: list[_Landing] = []
        for landing in files:
            targets = [t for t in landing.targets if t.source in names]
            staged = [
                _Staged(0, self.config.sources[t.source], landing, sheet=None) for t in targets
            ]
            for item in staged:
                self._check_path(item, counties)
            landings.append((landing, staged, [t.sheet for t in targets]))
            for item in staged:
                self.staged[item.source.name].append(item)
        self._read_files(landings)
        file_id = 0
        for name in self.staged:
            self.staged[name].sort(key=lambda s: (s.landing.file, s.sheet or ""))
            for item in self.staged[name]:
                file_id += 1
                item.file_id = file_id

    def _check_path(self, item: _Staged, counties: set[str] | None) -> None:
        landing = item.landing
        if landing.year is not None:
            lo, hi = self.config.date_min.year, self.run_date.year
            if not lo <= landing.year <= hi:
                item.reject(
                    "year",
                    self.config.file_reason(
                        "year_out_of_range", year=landing.year, year_min=lo, year_max=hi
                    ),
                )
        if landing.month is not None:
            lo, hi = self.config.date_min.replace(day=1), self.run_date.replace(day=1)
            month = landing.record_month
            if month is None or not lo <= month <= hi:
                item.reject(
                    "record_month",
                    self.config.file_reason(
                        "month_out_of_range",
                        month=landing.month,
                        month_min=lo.strftime("%Y-%m"),
                        month_max=hi.strftime("%Y-%m"),
                    ),
                )
        if counties is not None and landing.county_in_path is not None:
            county = landing.county_code
            if county is None or county not in counties:
                item.reject(
                    "county_code",
                    self.config.file_reason("county_unknown", county=landing.county_in_path),
                )

    def _read_landing(
        self,
        con: duckdb.DuckDBPyConnection,
        landing: LandingFile,
        staged: list[_Staged],
        sheets: list[str | None],
    ) -> tuple[list[_Read], list[str]]:
        """Read one landing file's tables (a CSV file, or the sheets of a workbook) on `con`;
        also the workbook's sheets that no source reads.

        Touches only this file's staged items: files are read on several threads at once.
        """
        reads: list[_Read] = []
        if landing.kind == "csv":
            for item in staged:
                table = self._new_table()
                read = self._attempt(read_csv_table, con, landing.path, table, workdir=self.workdir)
                reads.append(_Read(item, table, read))
            return reads, []
        try:
            workbook = open_workbook(landing.path)
        except FileRejected as exc:
            return [_Read(item, None, exc) for item in staged], []
        with workbook:
            used: set[str] = set()
            for item, pattern_sheet in zip(staged, sheets, strict=True):
                sheet = self._pick_sheet(item, workbook.sheet_names, pattern_sheet)
                if sheet is None:
                    continue
                item.sheet = sheet
                used.add(sheet)
                table = self._new_table()
                reads.append(
                    _Read(item, table, self._attempt(read_sheet_table, con, workbook, sheet, table))
                )
            ignored = [f"{landing.file}#{s}" for s in workbook.sheet_names if s not in used]
        return reads, ignored

    @staticmethod
    def _attempt(
        reader: Callable[..., TableStart], *args: object, **kwargs: object
    ) -> TableStart | FileRejected:
        try:
            return reader(*args, first_rows=HEADER_SEARCH_ROWS, **kwargs)
        except FileRejected as exc:
            return exc

    def _read_files(self, landings: list[_Landing]) -> None:
        """Read the landing files on READ_CONNECTIONS connections, then map their headers.

        Each connection is used by one thread only, and each file by one connection; the
        outcome of each file is the same as if the files were read one after the other.
        """
        results: list[tuple[list[_Read], list[str]]] = [([], []) for _ in landings]
        todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for i in range(len(landings)):
            todo.put(i)

        def drain(con: duckdb.DuckDBPyConnection) -> None:
            while True:
                try:
                    i = todo.get_nowait()
                except queue.Empty:
                    return
                results[i] = self._read_landing(con, *landings[i])

        connections = [self.con.cursor() for _ in range(min(READ_CONNECTIONS, len(landings)))]
        try:
            with ThreadPoolExecutor(max(len(connections), 1)) as pool:
                for done in [pool.submit(drain, con) for con in connections]:
                    done.result()
        finally:
            for con in connections:
                con.close()
        for reads, ignored in results:
            self.ignored_sheets += ignored
            for read in reads:
                self._started(read)

    def _started(self, read: _Read) -> None:
        """Map the header of a table read, or reject its item."""
        if isinstance(read.result, FileRejected):
            exc = read.result
            read.item.reject("", self.config.file_reason(exc.reason, **exc.details))
            return
        assert read.table is not None
        read.item.table = read.table
        read.item.cells = [ident(c) for c in read.result.columns]
        self._map_header(read.item, read.result.rows)

    def _pick_sheet(
        self, item: _Staged, sheet_names: list[str], pattern_sheet: str | None
    ) -> str | None:
        wanted = {normalise_header(a) for a in (*item.source.sheet_aliases, pattern_sheet) if a}
        matches = [s for s in sheet_names if normalise_header(s) in wanted]
        label = pattern_sheet or (item.source.sheet_aliases or (item.source.name,))[0]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            item.reject(
                "",
                self.config.file_reason("sheet_ambiguous", sheet=label, sheets="、".join(matches)),
            )
            return None
        if pattern_sheet is None and sheet_names:
            return sheet_names[0]
        item.reject("", self.config.file_reason("sheet_missing", sheet=label))
        return None

    def _map_header(self, item: _Staged, rows: list[tuple[object, ...]]) -> None:
        source, table = item.source, item.table
        filled = [i for i, r in enumerate(rows) if any(v is not None for v in r)]
        if not filled:
            non_empty = " or ".join(f"{cell} is not null" for cell in item.cells)
            found = self.con.execute(f"select 1 from {table} where {non_empty} limit 1").fetchone()
            if found is None:
                item.table = None
                item.reject("", self.config.file_reason("file_empty"))
                return
        item.header_row = filled[0] if filled else 0
        need = min(HEADER_MIN_COLUMNS, len(source.columns))
        for i, row in enumerate(rows):
            mapping = map_headers(row, source.aliases)
            if len(mapping.positions) >= need:
                item.header_row, item.mapping = i, mapping
                break
        if item.mapping is None:
            first = rows[item.header_row] if rows else ()
            item.mapping = map_headers(first, source.aliases)
            item.reject("(header)", self.config.file_reason("no_header"))
            return
        mapping = item.mapping
        if mapping.duplicates:
            names = list(mapping.duplicates)
            item.reject(
                "; ".join(names),
                self.config.file_reason(
                    "duplicate_column",
                    columns_zh="、".join(mapping.headers[mapping.duplicates[n][0]] for n in names),
                    columns_en=", ".join(names),
                ),
            )
        missing = [c for c in source.columns if c.required and c.name not in mapping.positions]
        if missing:
            item.reject(
                "; ".join(c.name for c in missing),
                self.config.file_reason(
                    "missing_columns",
                    columns_zh="、".join(c.label_zh for c in missing),
                    columns_en=", ".join(c.name for c in missing),
                ),
            )
        if mapping.unknown_headers:
            item.notes.append(
                self.config.file_reason(
                    "ignored_columns", columns="、".join(mapping.unknown_headers)
                )
            )

    def required_files_readable(self) -> None:
        """Raise when a required reference file could not be read at all."""
        for source in self.sources:
            if source.optional or source.per_unit:
                continue
            for item in self.staged[source.name]:
                if item.rejection is not None:
                    raise IngestionError(item.landing.file, str(item.rejection[1]))

    # -- staging tables ------------------------------------------------------------------

    def _branch(self, item: _Staged) -> str:
        mapping = item.mapping
        assert item.table is not None and mapping is not None
        mapped = set(mapping.positions.values())
        cells = []
        for c in item.source.columns:
            position = mapping.positions.get(c.name)
            cell = item.cells[position] if position is not None else "null::varchar"
            cells.append(f"{cell} as {ident(c.name)}")
        extras = [
            f"{{'p': {i}, 'k': {lit(mapping.key(i))}, 'v': {cell}}}"
            for i, cell in enumerate(item.cells)
            if i not in mapped
        ]
        extra = f"[{', '.join(extras)}]" if extras else f"null::{_EXTRA_TYPE}"
        non_empty = "coalesce(" + ", ".join(item.cells) + ")"
        return (
            f"select {item.file_id} as _file_id, cast(rowid + 1 as integer) as _row, "
            f"{', '.join(cells)}, {extra} as _extra from {item.table} "
            f"where rowid > {item.header_row} and {non_empty} is not null"
        )

    def build_staging(self, source: Source) -> None:
        """The staged-rows view and the files table of one source."""
        con, name = self.con, source.name
        columns = source.columns
        position_cols = ", ".join(
            f"{ident('p:' + c.name)} integer, {ident('k:' + c.name)} varchar" for c in columns
        )
        con.execute(
            f"create or replace temp table files_{name} (_file_id integer, source_file varchar, "
            "source_sheet varchar, year integer, county_code varchar, record_month date, "
            "rejected boolean, "
            f"reject_column varchar, reject_zh varchar, reject_en varchar, {position_cols})"
        )
        rows = []
        for item in self.staged[name]:
            positions = item.mapping.positions if item.mapping else {}
            cells: list[object] = []
            for c in columns:
                p = positions.get(c.name)
                cells += [p, item.mapping.key(p) if item.mapping and p is not None else None]
            column, reason = item.rejection or (None, None)
            rows.append(
                [
                    item.file_id,
                    item.landing.file,
                    item.sheet,
                    item.landing.year,
                    item.landing.county_code,
                    item.landing.record_month,
                    item.rejection is not None,
                    column or None,
                    reason.zh if reason else None,
                    reason.en if reason else None,
                    *cells,
                ]
            )
        _insert_rows(con, f"files_{name}", rows)
        branches = [self._branch(i) for i in self.staged[name] if i.table is not None]
        if not branches:
            empty = ", ".join(f"null::varchar as {ident(c.name)}" for c in columns)
            branches = [
                f"select null::integer as _file_id, null::integer as _row, {empty}, "
                f"null::{_EXTRA_TYPE} as _extra where false"
            ]
        con.execute(f"create or replace temp view stg_{name} as " + " union all ".join(branches))

    # -- checking and loading ------------------------------------------------------------

    def type_rows(self, source: Source) -> None:
        """Typed values and cell error codes of a source's staged rows."""
        self.con.execute(
            typed_sql(
                source,
                self.config,
                self.run_date,
                f"stg_{source.name}",
                f"files_{source.name}",
                f"typed_{source.name}",
            )
        )

    def check_and_load(
        self, source: Source, raw_table: str, quarantine: str, quarantine_keys: str | None
    ) -> None:
        """Apply the row rules, load the good rows into `raw_table` and the others into
        `quarantine` (a table like audit.quarantine), and their keys into `quarantine_keys`
        (like audit.quarantine_keys) when it is given."""
        typed = {s.name: f"typed_{s.name}" for s in self.sources}
        typed["household_status"] = "household_status"
        bad = f"bad_{source.name}"
        sql, rules = bad_rows_sql(source, typed, bad)
        self.con.execute(sql)
        if source.name == "regions":
            for statement in region_parent_sql(typed["regions"], bad):
                self.con.execute(statement)
        if source.name == "households":
            self.con.execute(household_status_sql(typed["households"], bad, "household_status"))
        self._insert_raw(source, raw_table, typed[source.name], bad)
        self._insert_quarantine(source, quarantine, bad, rules)
        if quarantine_keys is not None:
            self._insert_quarantine_keys(source, quarantine_keys, typed[source.name], bad)
        self._count(source, typed[source.name], bad)
        self.drop_temporaries(source)

    def drop_temporaries(self, source: Source) -> None:
        """Free the memory of a source's cells once its rows are loaded and quarantined.

        The cells' tables are dropped on a connection of their own: the group's transaction
        writes the restricted store, and one transaction writes one database only.
        """
        self.con.execute(f"drop view if exists stg_{source.name}")
        with self.con.cursor() as other:
            for item in self.staged[source.name]:
                if item.table is not None:
                    other.execute(f"drop table if exists {item.table}")
        self.con.execute(f"drop table if exists typed_{source.name}")

    def _insert_raw(self, source: Source, raw_table: str, typed: str, bad: str) -> None:
        names = [n for n, _ in raw_columns(source)]
        values = [f"t.{ident(n)}" for n in names[:-3]]
        self.con.execute(
            f"insert into {raw_table} ({', '.join(ident(n) for n in names)}) "
            f"select {', '.join(values)}, f.source_file, f.source_sheet, t._row "
            f"from {typed} t join files_{source.name} f on f._file_id = t._file_id "
            f"anti join {bad} b on b._file_id = t._file_id and b._row = t._row"
        )

    def _insert_quarantine(
        self, source: Source, quarantine: str, bad: str, rules: Sequence[RowRule]
    ) -> None:
        names, zh, en = reasons_sql(source, rules, self.config, self.run_date, "b")
        entries = ", ".join(
            f"{{'p': f.{ident('p:' + c.name)}, 'k': f.{ident('k:' + c.name)}, "
            f"'v': s.{ident(c.name)}}}"
            for c in source.columns
        )
        raw_values = (
            "to_json(map_from_entries(list_transform(list_sort(list_concat("
            f"list_filter([{entries}], lambda e: e.k is not null), "
            f"coalesce(s._extra, []::{_EXTRA_TYPE}))), "
            "lambda e: {'key': e.k, 'value': e.v})))"
        )
        self.con.execute(
            f"insert into {quarantine} "
            f"select f.source_file, f.source_sheet, {lit(source.name)}, b._row, "
            f"case when b._rejected then f.reject_column else {names} end, "
            f"case when b._rejected then f.reject_zh else {zh} end, "
            f"case when b._rejected then f.reject_en else {en} end, "
            f"{raw_values} "
            f"from {bad} b join files_{source.name} f on f._file_id = b._file_id "
            f"join stg_{source.name} s on s._file_id = b._file_id and s._row = b._row "
            "order by b._file_id, b._row"
        )

    def _insert_quarantine_keys(
        self, source: Source, quarantine_keys: str, typed: str, bad: str
    ) -> None:
        own = {c.name for c in source.columns}
        keys = [f"t.{c}" if c in own else "null" for c in CROSS_FILE_KEYS]
        self.con.execute(
            f"insert into {quarantine_keys} "
            f"select {lit(source.name)}, f.source_file, b._row, t.year, {', '.join(keys)} "
            f"from {bad} b join files_{source.name} f on f._file_id = b._file_id "
            f"join {typed} t on t._file_id = b._file_id and t._row = b._row"
        )

    def _count(self, source: Source, typed: str, bad: str) -> None:
        def per_file(table: str) -> dict[int, int]:
            sql = f"select _file_id, count(*) from {table} group by _file_id"
            return dict(self.con.execute(sql).fetchall())

        read, quarantined = per_file(typed), per_file(bad)
        for item in self.staged[source.name]:
            item.rows_read = read.get(item.file_id, 0)
            item.rows_quarantined = quarantined.get(item.file_id, 0)

    def ledger(self) -> list[LedgerRow]:
        """The ledger rows of the group, in file, sheet, source order."""
        rows = []
        for source in self.sources:
            for item in self.staged[source.name]:
                if item.rejection is not None:
                    status, text = "rejected", _reason_text([item.rejection[1], *item.notes])
                else:
                    status, text = "loaded", _reason_text(item.notes)
                rows.append(
                    LedgerRow(
                        file=item.landing.file,
                        sheet=item.sheet,
                        source=source.name,
                        rows_read=item.rows_read,
                        rows_loaded=item.rows_read - item.rows_quarantined,
                        rows_quarantined=item.rows_quarantined,
                        status=status,
                        message=item.message(text),
                    )
                )
        return sorted(rows, key=LedgerRow.order)


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _prepare_store(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists audit")
    con.execute(LEDGER_DDL)
    con.execute(QUARANTINE_DDL)
    con.execute(BATCHES_DDL)
    con.execute(QUARANTINE_KEYS_DDL)
    con.execute(DIGESTS_DDL)


def _group_folders(group: str, config: Config) -> set[str]:
    return {
        pattern.pattern.split("/", 1)[0]
        for name in SOURCE_GROUPS[group]
        for pattern in config.sources[name].files
    }


def _ignored_files(group: str, unmatched: list[str], config: Config) -> list[str]:
    """Unmatched files under the group's folders; the first group also lists all the others."""
    mine = _group_folders(group, config)
    first = next(iter(SOURCE_GROUPS))
    claimed = set().union(*(_group_folders(g, config) for g in SOURCE_GROUPS))
    # a folder shared by several groups (reference/) is reported by the first of them
    owners = {
        folder: next(g for g in SOURCE_GROUPS if folder in _group_folders(g, config))
        for folder in claimed
    }
    result = []
    for rel in unmatched:
        folder = rel.split("/", 1)[0] if "/" in rel else ""
        owner = owners.get(folder, first)
        if owner == group and (folder in mine or group == first):
            result.append(rel)
    return result


def _insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[list[object]]) -> None:
    """Insert Python rows in one statement (executemany costs milliseconds per row)."""
    if not rows:
        return
    values = pa.table({f"c{i}": [r[i] for r in rows] for i in range(len(rows[0]))})
    con.register("rows_arrow", values)
    try:
        con.execute(f"insert into {table} select * from rows_arrow")
    finally:
        con.unregister("rows_arrow")


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.begin()
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


def _check_inputs(landing_dir: Path, sources: list[Source], files: list[LandingFile]) -> None:
    if not landing_dir.is_dir():
        raise IngestionError(str(landing_dir), "landing directory not found / 落地目录不存在")
    for source in sources:
        required = not source.optional and not source.per_unit
        if required and not any(t.source == source.name for f in files for t in f.targets):
            wanted = ", ".join(p.pattern for p in source.files)
            raise IngestionError(wanted, "required reference file missing / 缺少必需的参考文件")


def _check_upstream(con: duckdb.DuckDBPyConnection, group: str) -> None:
    for table in GROUP_NEEDS.get(group, ()):
        if not _table_exists(con, "raw", table):
            raise IngestionError(
                f"raw.{table}", f"load it before the {group} group / 请先导入 {table}"
            )


def _loaded_counties(con: duckdb.DuckDBPyConnection) -> set[str]:
    sql = "select left(region_code, 6) from raw.regions where level = 'county'"
    return {code for (code,) in con.execute(sql).fetchall()}


def _batch_of(group: str, landing: LandingFile) -> str:
    """The batch of a landing file: `<year>/<county>` of its path in a YEARLY_GROUPS group (the
    county as a 6-digit code when the path names one), the file in a FILE_GROUPS group, else
    WHOLE_GROUP."""
    if group in FILE_GROUPS:
        return landing.file
    if group not in YEARLY_GROUPS:
        return WHOLE_GROUP
    return f"{landing.year}/{landing.county_code or landing.county_in_path}"


def _year_of(batch: str) -> str:
    return batch.split("/", 1)[0]


def _batches(group: str, files: list[LandingFile]) -> dict[str, list[LandingFile]]:
    """The group's files by batch (`_batch_of`)."""
    batches: dict[str, list[LandingFile]] = {}
    for landing in files:
        batches.setdefault(_batch_of(group, landing), []).append(landing)
    return dict(sorted(batches.items()))


@dataclass
class _Unit:
    """Batches read together: a year of a YEARLY_GROUPS group (every county of it, or only the
    counties read again, `changed_only`), or the batches of another group that are not kept."""

    batches: list[str]
    files: list[LandingFile]
    # a year's counties read again without the others: their year, the batches of the whole
    # year, and the files their stored rows (or those of the year's removed counties) came from
    year: int | None = None
    whole_year: list[str] = field(default_factory=list)
    stored_files: list[str] = field(default_factory=list)

    @property
    def changed_only(self) -> bool:
        return self.year is not None


def _units(
    con: duckdb.DuckDBPyConnection,
    group: str,
    names: list[str],
    batches: dict[str, list[LandingFile]],
    kept: set[str],
    landing_dir: Path,
    config: Config,
) -> list[_Unit]:
    """What to read: per year of a YEARLY_GROUPS group whose batches changed, the changed
    batches alone while some of the year's batches are kept, else the whole year; the batches
    of another group that are not kept, together."""
    if group not in YEARLY_GROUPS:
        read = [b for b in batches if b not in kept]
        return [_Unit(read, [f for b in read for f in batches[b]])] if read else []
    stored_files: dict[str, list[str]] = {}
    rows = con.execute(
        "select distinct file from audit.ingest_ledger "
        "where source in (select unnest($names::varchar[])) order by file",
        {"names": names},
    ).fetchall()
    for (file,) in rows:
        landing = match_file(landing_dir, file, config)
        if landing is not None:
            stored_files.setdefault(_batch_of(group, landing), []).append(file)
    units = []
    for year in sorted({_year_of(b) for b in [*batches, *stored_files]}):
        whole = [b for b in batches if _year_of(b) == year]
        read = [b for b in whole if b not in kept]
        removed = [b for b in stored_files if _year_of(b) == year and b not in batches]
        if not whole or (not read and not removed):
            continue  # a year taken out leaves with its files (`ingest_group`'s kept files)
        files = [f for b in read for f in batches[b]]
        if len(read) == len(whole):
            units.append(_Unit(read, files))
            continue
        stored = sorted(f for b in [*read, *removed] for f in stored_files.get(b, []))
        units.append(_Unit(read, files, int(year), whole, stored))
    return units


def _crossings(
    con: duckdb.DuckDBPyConnection, sources: list[Source], unit: _Unit
) -> dict[str, int]:
    """For a year's counties read without the others (`unit.changed_only`, typed in the
    `typed_<source>` tables): how many stored rows of the year's other counties a rule across
    files compares with a row of the counties read, as typed now or as stored before (their
    own rows, or those of removed counties). With none, the other counties' rows are what a
    read of the whole year would give, and the counties read get the outcomes they would get
    in it; otherwise the whole year is read (`ingest_group`). The rules across files: a key
    that must not repeat in a year (`unique`), and a member's or income row's household
    (HOUSEHOLD_CHILDREN); a household's member count compares rows of its own county only."""
    by_name = {s.name: s for s in sources}
    files = "(select unnest($stored::varchar[]))"

    def stored(source: Source, column: str, *, others: bool) -> str:
        key, among = f"year = {unit.year} and {ident(column)} is not null", "in"
        if others:
            among = "not in"
        return (
            f"select {ident(column)} as k from raw.{ident(source.raw_table)} "
            f"where {key} and source_file {among} {files} union all "
            f"select {ident(column)} from audit.quarantine_keys "
            f"where source = {lit(source.name)} and {key} and file {among} {files}"
        )

    def read(source: Source, column: str) -> str:
        return (
            f"select {ident(column)} as k from typed_{source.name} "
            f"where {ident(column)} is not null"
        )

    # per rule: (the rows of the other counties, the rows of the counties read)
    pairs: dict[str, tuple[str, str]] = {}
    for source in sources:
        for rule in source.unique:
            (column,) = [c for c in rule.columns if c not in PATH_COLUMNS]
            pairs[rule.reason] = (
                stored(source, column, others=True),
                f"{read(source, column)} union all {stored(source, column, others=False)}",
            )
    households = by_name["households"]
    children = [by_name[n] for n in HOUSEHOLD_CHILDREN]
    pairs["household_of_another_county"] = (
        stored(households, "household_id", others=True),
        " union all ".join(read(c, "household_id") for c in children),
    )
    pairs["household_in_a_county_read"] = (
        " union all ".join(stored(c, "household_id", others=True) for c in children),
        f"{read(households, 'household_id')} union all "
        f"{stored(households, 'household_id', others=False)}",
    )
    counts = ", ".join(
        f"(select count(*) from ({other}) o semi join ({mine}) m on o.k = m.k) as {ident(name)}"
        for name, (other, mine) in pairs.items()
    )
    row = con.execute(f"select {counts}", {"stored": unit.stored_files}).fetchone()
    return dict(zip(pairs, row, strict=True))


def _upstream_state(con: duckdb.DuckDBPyConnection, group: str) -> str:
    """The rows of the raw tables the group looks up, as their stored digests."""
    rows = con.execute(
        "select raw_table, digest from audit.raw_digests "
        "where raw_table in (select unnest($tables::varchar[])) order by all",
        {"tables": list(GROUP_NEEDS.get(group, ()))},
    ).fetchall()
    return ";".join("/".join(row) for row in rows)


def _file_digest(landing: LandingFile) -> str:
    with landing.path.open("rb") as f:
        return f"{landing.file}\t{hashlib.file_digest(f, 'sha256').hexdigest()}\n"


def _fingerprints(state: str, batches: dict[str, list[LandingFile]]) -> dict[str, str]:
    """Per batch, a digest of `state` and of its files' names and contents (hashed on
    READ_CONNECTIONS threads: hashlib works without Python's lock)."""
    with ThreadPoolExecutor(READ_CONNECTIONS) as pool:
        lines = {
            batch: pool.map(_file_digest, sorted(files, key=lambda f: f.file))
            for batch, files in batches.items()
        }
        return {
            batch: hashlib.sha256((state + "".join(batch_lines)).encode()).hexdigest()
            for batch, batch_lines in lines.items()
        }


def _kept_batches(
    con: duckdb.DuckDBPyConnection, group: str, sources: list[Source], current: dict[str, str]
) -> set[str]:
    """The batches whose stored rows are still those their files would give."""
    if not all(_table_exists(con, "raw", s.raw_table) for s in sources):
        return set()
    stored = dict(
        con.execute(
            "select batch, fingerprint from audit.ingest_batches where source_group = ?", [group]
        ).fetchall()
    )
    return {batch for batch, print_ in current.items() if stored.get(batch) == print_}


def _stored_ledger(
    con: duckdb.DuckDBPyConnection, names: list[str], files: list[str]
) -> list[LedgerRow]:
    rows = con.execute(
        "select file, sheet, source, rows_read, rows_loaded, rows_quarantined, status, message "
        "from audit.ingest_ledger where source in (select unnest($names::varchar[])) "
        "and file in (select unnest($files::varchar[]))",
        {"names": names, "files": files},
    ).fetchall()
    return [LedgerRow(*row) for row in rows]


def ingest_group(
    group: str, landing_dir: Path, restricted_db: Path, run_date: date | None = None
) -> GroupResult:
    """Load one source group from the landing directory into the restricted store.

    Replaces the group's raw rows and its earlier quarantine and ledger rows, in one
    transaction. A batch of files (a county's year of a YEARLY_GROUPS group, else the whole
    group) whose files, ingestion contract (`contract_digest`), run date and upstream tables are
    those of its stored rows is kept as stored, not read again, unless another county of its
    year is read again and their rows meet in a rule across files (`_crossings`). Raises
    IngestionError when the landing directory or a required reference file is unusable, or when
    a group it depends on has not been loaded; every other bad file is a `rejected` ledger row.
    """
    if group not in SOURCE_GROUPS:
        raise ValueError(f"unknown source group {group!r}; known: {', '.join(SOURCE_GROUPS)}")
    landing_dir, restricted_db = Path(landing_dir), Path(restricted_db)
    run_date = run_date or date.today()
    config = load_config()
    sources = [config.sources[name] for name in SOURCE_GROUPS[group]]
    names = [s.name for s in sources]
    matched, unmatched = discover(landing_dir, config) if landing_dir.is_dir() else ([], [])
    files = [f for f in matched if any(t.source in names for t in f.targets)]
    _check_inputs(landing_dir, sources, files)
    restricted_db.parent.mkdir(parents=True, exist_ok=True)
    batches = _batches(group, files)
    with (
        store.connect(restricted_db) as con,
        tempfile.TemporaryDirectory(prefix="fangpin-ingest-") as workdir,
    ):
        _prepare_store(con)
        _check_upstream(con, group)
        state = f"{contract_digest()}\t{run_date.isoformat()}\t{_upstream_state(con, group)}"
        current = _fingerprints(state, batches)
        kept = _kept_batches(con, group, sources, current)
        units = _units(con, group, names, batches, kept, landing_dir, config)
        counties = _loaded_counties(con) if any(s.per_unit for s in sources) else None
        keys_table = f"audit.{NEXT}quarantine_keys" if group in YEARLY_GROUPS else None
        new_ledger: list[LedgerRow] = []
        ignored_sheets: list[str] = []
        for source in sources:
            columns = ", ".join(f"{ident(n)} {t}" for n, t in raw_columns(source))
            con.execute(f"create or replace table raw.{NEXT}{source.raw_table} ({columns})")
        for table in ("quarantine", "quarantine_keys"):
            con.execute(
                f"create or replace table audit.{NEXT}{table} as from audit.{table} limit 0"
            )
        table_numbers = itertools.count(1)

        def typed_run(files: list[LandingFile]) -> _GroupRun:
            run = _GroupRun(con, config, sources, run_date, Path(workdir), table_numbers)
            # files are read into tables in insertion order: a row's number is the rowid of
            # its table
            con.execute("set preserve_insertion_order = true")
            run.stage(files, counties)
            run.required_files_readable()
            # from here on every statement that stores rows orders them itself, so DuckDB may
            # build the intermediate tables in any order (cheaper)
            con.execute("set preserve_insertion_order = false")
            for source in sources:
                run.build_staging(source)
                run.type_rows(source)
            return run

        read: list[str] = []
        for unit in units:
            run = typed_run(unit.files)
            if unit.changed_only and any(_crossings(con, sources, unit).values()):
                # a row of another county of the year meets theirs: read the year whole
                for source in sources:
                    run.drop_temporaries(source)
                kept -= set(unit.whole_year)
                unit = _Unit(unit.whole_year, [f for b in unit.whole_year for f in batches[b]])
                run = typed_run(unit.files)
            for source in sources:
                run.check_and_load(
                    source,
                    f"raw.{NEXT}{source.raw_table}",
                    f"audit.{NEXT}quarantine",
                    keys_table,
                )
            read += unit.batches
            new_ledger += run.ledger()
            ignored_sheets += run.ignored_sheets
        kept_files = sorted(f.file for batch in kept for f in batches[batch])
        ledger = _stored_ledger(con, names, kept_files)
        with _transaction(con):
            keep = {"names": names, "kept": kept_files}
            for table in ("audit.quarantine", "audit.quarantine_keys", "audit.ingest_ledger"):
                con.execute(f"delete from {table} where source in (select unnest($names)) "
                            "and file not in (select unnest($kept::varchar[]))", keep)  # fmt: skip
            for table in ("quarantine", "quarantine_keys"):
                con.execute(f"insert into audit.{table} from audit.{NEXT}{table}")
                con.execute(f"drop table audit.{NEXT}{table}")
            loaded_at = datetime.now().replace(microsecond=0)
            _insert_rows(con, "audit.ingest_ledger", [
                [r.file, r.sheet, r.source, r.rows_read, r.rows_loaded, r.rows_quarantined,
                 r.status, r.message, loaded_at] for r in new_ledger
            ])  # fmt: skip
            for source in sources:
                table, next_ = f"raw.{source.raw_table}", f"raw.{NEXT}{source.raw_table}"
                if kept:
                    con.execute(
                        f"delete from {table} "
                        "where source_file not in (select unnest($kept::varchar[]))",
                        {"kept": kept_files},
                    )
                    con.execute(f"insert into {table} from {next_}")
                    con.execute(f"drop table {next_}")
                else:
                    con.execute(f"drop table if exists {table}")
                    con.execute(f"alter table {next_} rename to {ident(source.raw_table)}")
            # computed again even when every batch was kept: a batch may have been removed
            tables = [s.raw_table for s in sources]
            con.execute(
                "delete from audit.raw_digests "
                "where raw_table in (select unnest($tables::varchar[]))",
                {"tables": tables},
            )
            _insert_rows(con, "audit.raw_digests", [
                [t, store.content_digest(con, f"raw.{ident(t)}"), loaded_at] for t in tables
            ])  # fmt: skip
            con.execute("delete from audit.ingest_batches where source_group = ?", [group])
            _insert_rows(con, "audit.ingest_batches", [
                [group, batch, print_, loaded_at] for batch, print_ in current.items()
            ])  # fmt: skip
            rows_loaded = {
                s.name: con.execute(f"select count(*) from raw.{s.raw_table}").fetchone()[0]
                for s in sources
            }
    ledger = sorted(ledger + new_ledger, key=LedgerRow.order)
    return GroupResult(
        group=group,
        rows_loaded=rows_loaded,
        rows_quarantined={
            s.name: sum(r.rows_quarantined for r in ledger if r.source == s.name) for s in sources
        },
        ledger=ledger,
        files_ignored=sorted(_ignored_files(group, unmatched, config) + ignored_sheets),
        batches_read=sorted(read),
        batches_kept=[b for b in batches if b in kept],
    )


def ingest_all(
    landing_dir: Path, restricted_db: Path, run_date: date | None = None
) -> list[GroupResult]:
    """Load every source group, in dependency order."""
    return [ingest_group(g, landing_dir, restricted_db, run_date) for g in SOURCE_GROUPS]


def export_quarantine(restricted_db: Path, path: Path) -> Path | None:
    """Write audit.quarantine to a CSV (UTF-8, for the operators); None when there is none."""
    if not restricted_db.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    with store.connect(restricted_db, read_only=True) as con:
        if not _table_exists(con, "audit", "quarantine"):
            return None
        target = path.as_posix().replace("'", "''")
        con.execute(
            "copy (select * from audit.quarantine order by file, sheet, row_number) "
            f"to '{target}' (header, delimiter ',')"
        )
    return path
