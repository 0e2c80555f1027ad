"""The bad-input corpus: what county offices really send, and what ingestion makes of it.

Every case is one class of bad input: a function that writes a small landing slice of its own
(its own county, so that cases do not touch each other) and returns the exact outcome — the
ledger rows of its files, the quarantine rows, and what the raw tables hold. The cases of a
module are written into one landing area and ingested in one run, which is also the proof
that the run goes on past every one of them.

This module holds the machinery and the doc check; the cases are in test_bad_inputs_files.py
(whole files: headers, encodings, CSV dialects, workbooks, paths), test_bad_inputs_rows.py (the
row rules) and test_bad_inputs_large.py (a 100 MB file). docs/bad-inputs.md holds the table of
all the cases, generated from them (`python -m tests.unit.test_bad_inputs`) and checked against
them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from ingestion.config import SOURCES_YAML, ConfigError, Reason, load_config
from ingestion.load import GroupResult, LedgerRow, ingest_all
from tests.unit.landing import (
    EPISODE_HEADER,
    LINES,
    LINES_HEADER,
    MEASURE_HEADER,
    REGIONS_HEADER,
    RUN_DATE,
    YEAR,
    episode,
    household,
    id_number,
    income,
    measure,
    member,
    query,
    write_csv,
    write_survey,
)

CONFIG = load_config()
DOC = Path(__file__).resolve().parents[2] / "docs" / "bad-inputs.md"
# the outcome of a case, as the doc table names it
OUTCOMES = {
    "loaded": "loaded",
    "quarantined": "rows quarantined",
    "rejected": "file rejected",
    "ignored": "not read (listed as ignored)",
}
CITY = "5301"
CONTROL_COUNTY = "530199"


def row_reason(key: str, **values: object) -> Reason:
    """A quarantine reason of reasons.yaml, filled in."""
    return CONFIG.row_reason(key, **values)


def file_reason(key: str, **values: object) -> Reason:
    """A rejected-file reason of reasons.yaml, filled in (no values: the template itself)."""
    return CONFIG.file_reason(key, **values) if values else CONFIG.file_reasons[key]


# -- expected outcomes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Ledger:
    """An expected audit.ingest_ledger row."""

    file: str
    source: str
    status: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    message: str | None = None
    sheet: str | None = None


@dataclass(frozen=True, order=True)
class Quarantined:
    """An expected audit.quarantine row."""

    file: str
    sheet: str | None
    row_number: int
    column_name: str
    reason_zh: str
    reason_en: str


def _where(file: str, sheet: str | None) -> str:
    return f"{file} [{sheet}]" if sheet else file


def loaded(
    file: str,
    source: str,
    read: int,
    quarantined: int = 0,
    sheet: str | None = None,
    note: Reason | None = None,
) -> Ledger:
    """A loaded file (or sheet); `note` is the ledger message (ignored columns)."""
    message = f"{_where(file, sheet)}: {note}" if note else None
    return Ledger(file, source, "loaded", read, read - quarantined, quarantined, message, sheet)


def rejected(
    file: str, source: str, reason: Reason, read: int = 0, sheet: str | None = None
) -> Ledger:
    """A file (or sheet) that could not be loaded: its rows read are all quarantined."""
    message = f"{_where(file, sheet)}: {reason}"
    return Ledger(file, source, "rejected", read, 0, read, message, sheet)


def q(file: str, row: int, column: str, *reasons: Reason, sheet: str | None = None) -> Quarantined:
    """A quarantined row; several reasons are joined in rule order, as ingestion joins them."""
    zh = "; ".join(r.zh for r in reasons)
    en = "; ".join(r.en for r in reasons)
    return Quarantined(file, sheet, row, column, zh, en)


@dataclass
class Expected:
    """What one case must produce."""

    ledger: list[Ledger]
    quarantine: list[Quarantined] = field(default_factory=list)
    check: Callable[[Path], None] | None = None  # assertions on the raw tables
    ignored: list[str] = field(default_factory=list)  # GroupResult.files_ignored entries


# -- the landing slice of one case ------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """The landing slice of one case: its own county, villages and household ids."""

    landing: Path
    county: str
    number: int

    @property
    def village(self) -> str:
        return f"{self.county}001001"

    @property
    def township(self) -> str:
        return f"{self.county}001000"

    def hid(self, i: int) -> str:
        return f"U{self.number:02d}H{i:02d}"

    def mid(self, i: int) -> str:
        return f"U{self.number:02d}M{i:02d}"

    def person(self, seq: int, birth: str = "19800101") -> str:
        return id_number(county=self.county, birth=birth, seq=seq)

    def households_csv(self, year: int = YEAR) -> str:
        return f"survey/{year}/{self.county}/households.csv"

    def members_csv(self, year: int = YEAR) -> str:
        return f"survey/{year}/{self.county}/members.csv"

    def income_csv(self, year: int = YEAR) -> str:
        return f"survey/{year}/{self.county}/income.csv"

    def workbook(self, year: int = YEAR) -> str:
        return f"survey/{year}/{self.county}.xlsx"

    def monitoring(self, ext: str = "csv", year: int = YEAR) -> str:
        return f"monitoring/{year}/{self.county}.{ext}"

    def measures(self, ext: str = "csv", year: int = YEAR) -> str:
        return f"measures/{year}/{self.county}.{ext}"

    def path(self, file: str) -> Path:
        path = self.landing / file
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def survey(
        self,
        households: Sequence[Sequence[str]],
        members: Sequence[Sequence[str]],
        incomes: Sequence[Sequence[str]] = (),
        year: int = YEAR,
        encoding: str = "utf-8",
    ) -> None:
        """A survey unit as three CSV files (income header only unless given)."""
        write_survey(
            self.landing, households, members, incomes, year, self.county, encoding=encoding
        )

    def households(self, n: int = 1) -> None:
        """A valid survey of households 1..n, one member each: parents for ledger rows."""
        self.survey(
            [hh(self, i) for i in range(1, n + 1)], [mem(self, i, i) for i in range(1, n + 1)]
        )

    def owns(self, file: str) -> bool:
        """True for the landing files of this case (they carry its county in the path)."""
        return re.search(rf"(^|/){self.county}(000000)?(?![0-9])", file) is not None


def hh(u: Unit, i: int, size: int = 1, **cells: str) -> list[str]:
    return household(u.hid(i), size, **{"行政区划代码": u.village, **cells})


def mem(u: Unit, i: int, seq: int, **cells: str) -> list[str]:
    return member(u.hid(i), seq, **{"身份证号": u.person(seq), **cells})


def inc(u: Unit, i: int, **cells: str) -> list[str]:
    return income(u.hid(i), **cells)


def ep(u: Unit, i: int, **cells: str) -> list[str]:
    return episode(u.hid(i), **cells)


def ms(u: Unit, m: int, i: int, **cells: str) -> list[str]:
    return measure(u.mid(m), u.hid(i), **cells)


def csv_text(
    header: Sequence[str] | None, rows: Sequence[Sequence[str]], delimiter: str = ","
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def xlsx(
    path: Path,
    sheets: dict[str, Sequence[Sequence[object]]],
    merged: dict[str, Sequence[str]] | None = None,
) -> Path:
    """A workbook, one sheet per entry; `merged` lists merged ranges per sheet (A1:A2)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for values in rows:
            sheet.append(list(values))
        for cells in (merged or {}).get(name, ()):
            sheet.merge_cells(cells)
    workbook.save(path)
    return path


def cache_formula_value(path: Path, cell: str, value: str) -> None:
    """Store the computed value of a formula cell, as Excel does on saving (openpyxl does not)."""
    with zipfile.ZipFile(path) as zin:
        items = {name: zin.read(name) for name in zin.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml, count = re.subn(
        # openpyxl writes the empty value as <v/> or, through lxml, as <v></v>
        rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v\s*(?:/>|></v>)',
        rf"\1<v>{value}</v>",
        items[sheet].decode(),
    )
    assert count == 1
    items[sheet] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items.items():
            zout.writestr(name, data)


def rows_are(sql: str, expected: list[tuple]) -> Callable[[Path], None]:
    """A check that a query on the restricted store returns `expected`."""

    def check(db: Path) -> None:
        assert query(db, sql) == expected

    return check


def in_raw(table: str, columns: str, expected: list[tuple], **where: str) -> Callable[[Path], None]:
    """A check that raw.<table> holds `expected` in `columns` for the rows matching `where`."""
    condition = " and ".join(f"{column} = '{value}'" for column, value in where.items())
    return rows_are(f"select {columns} from raw.{table} where {condition} order by all", expected)


# -- the run ---------------------------------------------------------------------------------


def _regions(counties: Sequence[str]) -> list[list[str]]:
    """Province 53, city 5301, and per county one township with two villages."""
    city = f"{CITY}00000000"
    rows = [
        ["530000000000", "云南省", "province", "", "", ""],
        [city, "昆明市", "city", "530000000000", "", ""],
    ]
    for county in counties:
        rows += [
            [f"{county}000000", f"{county}区", "county", city, "none", "否"],
            [f"{county}001000", f"{county}街道", "township", f"{county}000000", "", ""],
            [f"{county}001001", f"{county}一村", "village", f"{county}001000", "", ""],
            [f"{county}001002", f"{county}二村", "village", f"{county}001000", "", ""],
        ]
    return rows


def write_landing(
    landing: Path, cases: Sequence[Case]
) -> tuple[dict[str, Unit], dict[str, Expected]]:
    """The cases' landing slices, the control county and the reference files."""
    assert len(cases) < 99
    units = {c.id: Unit(landing, f"{CITY}{n:02d}", n) for n, c in enumerate(cases, start=1)}
    expected = {c.id: c.write(units[c.id]) for c in cases}
    control = Unit(landing, CONTROL_COUNTY, 99)
    control.survey(
        [hh(control, 1), hh(control, 2)],
        [mem(control, 1, 1), mem(control, 2, 2)],
        [inc(control, 1), inc(control, 2)],
    )
    write_csv(control.path(control.monitoring()), EPISODE_HEADER, [ep(control, 1)])
    write_csv(control.path(control.measures()), MEASURE_HEADER, [ms(control, 1, 1)])
    counties = [units[c.id].county for c in cases if c.county_in_regions] + [CONTROL_COUNTY]
    write_csv(landing / "reference" / "regions.csv", REGIONS_HEADER, _regions(counties))
    write_csv(landing / "reference" / "monitoring_lines.csv", LINES_HEADER, LINES)
    return units, expected


@dataclass
class Corpus:
    """Every corpus case written into one landing area and ingested in one run."""

    db: Path
    units: dict[str, Unit]
    expected: dict[str, Expected]
    results: list[GroupResult]
    ledger: list[Ledger]
    quarantine: list[Quarantined]
    ignored: list[str]

    def owned(self, unit: Unit) -> tuple[list[Ledger], list[Quarantined], list[str]]:
        """The ledger rows, quarantine rows and ignored files of one unit's landing files."""
        return (
            [r for r in self.ledger if unit.owns(r.file)],
            sorted(r for r in self.quarantine if unit.owns(r.file)),
            sorted(f for f in self.ignored if unit.owns(f)),
        )


def _ledger(row: LedgerRow) -> Ledger:
    return Ledger(
        row.file, row.source, row.status, row.rows_read, row.rows_loaded, row.rows_quarantined,
        row.message, row.sheet,
    )  # fmt: skip


def _ledger(row: LedgerRow) -> Ledger:
    return Ledger(
        row.file, row.source, row.status, row.rows_read, row.rows_loaded, row.rows_quarantined,
        row.message, row.sheet,
    )  # fmt: skip


def run_corpus(root: Path, cases: Sequence[Case]) -> Corpus:
    """Write the cases into one landing area under `root` and ingest it in one run."""
    landing = root / "landing"
    units, expected = write_landing(landing, cases)
    db = root / "restricted.duckdb"
    results = ingest_all(landing, db, RUN_DATE)
    quarantine = query(
        db,
        "select file, sheet, row_number, column_name, reason_zh, reason_en from audit.quarantine",
    )
    return Corpus(
        db=db,
        units=units,
        expected=expected,
        results=results,
        ledger=[_ledger(r) for result in results for r in result.ledger],
        quarantine=[Quarantined(*r) for r in quarantine],
        ignored=[f for result in results for f in result.files_ignored],
    )


def _template(reason_text: str) -> re.Pattern[str]:
    """A reason text whose {placeholders} match anything."""
    parts = re.split(r"\{[a-z0-9_]+\}", reason_text)
    return re.compile(".+?".join(re.escape(p) for p in parts))


def assert_outcome(case: Case, corpus: Corpus) -> None:
    """The case's files have exactly the expected ledger rows, quarantine rows and raw rows."""
    unit, expected = corpus.units[case.id], corpus.expected[case.id]
    ledger, quarantine, ignored = corpus.owned(unit)
    for row in expected.ledger:
        assert row in ledger, f"{row} not in {ledger}"
    for row in ledger:
        if row not in expected.ledger:  # the case's other files load cleanly
            assert (row.status, row.rows_quarantined, row.message) == ("loaded", 0, None), row
    assert quarantine == sorted(expected.quarantine)
    assert ignored == sorted(expected.ignored)
    if expected.check is not None:
        expected.check(corpus.db)
    statuses = {r.status for r in ledger}
    if case.outcome == "loaded":
        assert statuses == {"loaded"} and quarantine == []
    elif case.outcome == "quarantined":
        assert statuses == {"loaded"} and quarantine != []
    elif case.outcome == "rejected":
        assert "rejected" in statuses
    else:
        assert ignored != [] and ledger == []
    if case.reason is not None:  # the reason the doc names is the one given
        for said, template in (
            ([r.reason_en for r in quarantine], case.reason.en),
            ([r.reason_zh for r in quarantine], case.reason.zh),
        ):
            texts = said + [r.message or "" for r in ledger]
            assert any(_template(template).search(text) for text in texts), texts


def assert_run(corpus: Corpus) -> None:
    """The run as a whole: nothing quarantined or read that no case expects, every row read
    accounted for, every quarantine row named in both languages, the control county loaded."""
    assert sorted(corpus.quarantine) == sorted(
        q for e in corpus.expected.values() for q in e.quarantine
    )
    control = Unit(corpus.db.parent / "landing", CONTROL_COUNTY, 99)
    owners = [*corpus.units.values(), control]
    for row in corpus.ledger:
        if not row.file.startswith("reference/"):
            assert sum(u.owns(row.file) for u in owners) == 1, row.file
    counted = query(
        corpus.db,
        "select file, sheet, source, count(*) from audit.quarantine group by all",
    )
    quarantined = {(f, s, source): n for f, s, source, n in counted}
    for row in corpus.ledger:
        assert row.rows_read == row.rows_loaded + row.rows_quarantined, row
        assert quarantined.get((row.file, row.sheet, row.source), 0) == row.rows_quarantined, row
    rows = query(
        corpus.db,
        "select file, row_number, column_name, reason_zh, reason_en, raw_values "
        "from audit.quarantine",
    )
    for file, row_number, column, zh, en, raw_values in rows:
        assert file and row_number >= 2 and column and raw_values
        assert re.search("[\u4e00-\u9fff]", zh) and re.search("[a-z]", en)
        assert "{" not in zh + en
    ledger, quarantine, _ = corpus.owned(control)
    assert sorted((r.source, r.status, r.rows_loaded) for r in ledger) == [
        ("households", "loaded", 2),
        ("income", "loaded", 2),
        ("measures", "loaded", 1),
        ("members", "loaded", 2),
        ("monitoring_episodes", "loaded", 1),
    ]
    assert quarantine == []


# -- the cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One class of bad input, the file it is shown with, and the outcome."""

    id: str
    section: str
    title: str
    example: str
    outcome: str
    reason: Reason | None
    write: Callable[[Unit], Expected]
    county_in_regions: bool = True


Writer = Callable[[Unit], Expected]


def catalogue(cases: list[Case]) -> Callable[..., Callable[[Writer], Writer]]:
    """The decorator that registers a module's cases in `cases`, in order."""

    def case(
        section: str,
        title: str,
        example: str,
        outcome: str,
        reason: Reason | None = None,
        **options: bool,
    ) -> Callable[[Writer], Writer]:
        """Register a case: its section and class, the example file, the outcome and reason;
        its id is the name of the function that writes it."""
        assert outcome in OUTCOMES

        def register(write: Writer) -> Writer:
            cases.append(
                Case(write.__name__, section, title, example, outcome, reason, write, **options)
            )
            return write

        return register

    return case


# -- the doc ---------------------------------------------------------------------------------


DOC_START = "<!-- cases: generated by `python -m tests.unit.test_bad_inputs`; do not edit -->"
DOC_END = "<!-- end of cases -->"


def all_cases() -> list[Case]:
    """Every case of the corpus, in the order of the doc."""
    from tests.unit import test_bad_inputs_files, test_bad_inputs_large, test_bad_inputs_rows

    return [
        *test_bad_inputs_files.CASES,
        *test_bad_inputs_rows.CASES,
        *test_bad_inputs_large.CASES,
    ]


def doc_tables(cases: Sequence[Case]) -> str:
    """The tables of docs/bad-inputs.md: one per section, one row per case."""
    out = []
    for section in dict.fromkeys(c.section for c in cases):
        out += [
            f"### {section}",
            "",
            "| id | class | example | outcome | reason (中文 / English) |",
            "|---|---|---|---|---|",
        ]
        for c in cases:
            if c.section == section:
                reason = f"{c.reason.zh} / {c.reason.en}" if c.reason else "—"
                out.append(
                    f"| `{c.id}` | {c.title} | {c.example} | {OUTCOMES[c.outcome]} | {reason} |"
                )
        out.append("")
    return "\n".join(out)


def write_doc() -> None:
    """Rewrite the generated part of docs/bad-inputs.md."""
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(DOC_START, 1)
    tail = rest.split(DOC_END, 1)[1]
    tables = doc_tables(all_cases())
    DOC.write_text(f"{head}{DOC_START}\n\n{tables}\n{DOC_END}{tail}", encoding="utf-8")


def test_a_value_alias_must_name_an_allowed_value(tmp_path: Path) -> None:
    """The alias table is reviewed data: an alias to a value that is not allowed stops the run."""
    text = SOURCES_YAML.read_text(encoding="utf-8")
    assert "边缘易至贫户: 边缘易致贫户" in text
    sources = tmp_path / "sources.yaml"
    sources.write_text(text.replace("边缘易至贫户: 边缘易致贫户", "边缘易至贫户: 边缘户"), "utf-8")
    with pytest.raises(ConfigError, match="value alias"):
        load_config(sources_yaml=sources)


def test_doc_table_lists_every_case_with_its_outcome_and_reason() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert DOC_START in text and DOC_END in text
    tables = text.split(DOC_START, 1)[1].split(DOC_END, 1)[0]
    cases = all_cases()
    assert tables.strip() == doc_tables(cases).strip(), (
        "docs/bad-inputs.md is out of step: run `python -m tests.unit.test_bad_inputs`"
    )
    ids = re.findall(r"^\| `([a-z0-9_]+)` \|", tables, flags=re.MULTILINE)
    assert ids == [c.id for c in cases] and len(set(ids)) == len(ids) >= 40


if __name__ == "__main__":
    from tests.unit import test_bad_inputs

    test_bad_inputs.write_doc()
