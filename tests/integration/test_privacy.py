"""No analyst-facing output holds an ID number, phone number or name of the input (SPEC §7.2)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ingestion.idnumber import is_valid

pytestmark = pytest.mark.integration

ID_TOKEN = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
PHONE_TOKEN = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def identifiers(restricted: Path) -> set[str]:
    """Every ID number, name and phone number the landing files delivered."""
    with duckdb.connect(str(restricted), read_only=True) as con:
        rows = con.execute(
            """
            select id_number from raw.members
            union select name from raw.members
            union select head_id_number from raw.households
            union select head_name from raw.households
            union select phone from raw.households
            """
        ).fetchall()
    return {value for (value,) in rows if value}


def leaks_in_text(text: str, known: set[str], min_length: int = 11) -> list[str]:
    """ID and phone numbers in `text`, and known identifiers of at least `min_length` chars."""
    found = [t for t in ID_TOKEN.findall(text) if is_valid(t)] + PHONE_TOKEN.findall(text)
    return found + [value for value in known if len(value) >= min_length and value in text]


def output_text(path: Path) -> str:
    if path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        try:
            return "\n".join(
                str(cell)
                for sheet in workbook.worksheets
                for row in sheet.iter_rows(values_only=True)
                for cell in row
                if cell is not None
            )
        finally:
            workbook.close()
    return path.read_text(encoding="utf-8", errors="replace")


def test_warehouse_holds_no_identifier_of_the_input(run) -> None:
    known = identifiers(run.out_dir / "restricted.duckdb")
    assert len(known) > 1000  # the scan below compares against real input
    with duckdb.connect(str(run.out_dir / "warehouse.duckdb"), read_only=True) as con:
        con.execute("create temp table known(value varchar)")
        con.executemany("insert into known values (?)", [[v] for v in sorted(known)])
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_catalog = current_database()"
        ).fetchall()
        assert len(columns) > 50
        for schema, table, column in columns:
            ref = f'"{schema}"."{table}"."{column}"'
            exact = con.execute(
                f'select count(*) from "{schema}"."{table}" '
                f'where "{column}" in (select value from known)'
            ).fetchone()[0]
            assert exact == 0, f"{ref} holds a name, ID number or phone of the input"
            shaped = con.execute(
                f'select distinct "{column}" from "{schema}"."{table}" '
                f"where regexp_matches(\"{column}\", '[0-9]{{11}}') "
                # a pseudonymous key is a sha256 digest: its hex may hold any run of digits
                f"and not regexp_full_match(\"{column}\", '[0-9a-f]{{64}}')"
            ).fetchall()
            leaks = [leak for (value,) in shaped for leak in leaks_in_text(value, known)]
            assert leaks == [], f"{ref} holds ID or phone numbers: {leaks[:5]}"


def test_report_outputs_hold_no_identifier_of_the_input(run, tmp_path: Path) -> None:
    from orchestration.resources import FangpinPaths
    from reporting.marts import latest_quarter
    from reporting.report import render_report

    known = identifiers(run.out_dir / "restricted.duckdb")
    warehouse = run.out_dir / "warehouse.duckdb"
    for lang in ("zh", "en"):
        render_report(warehouse, latest_quarter(warehouse), tmp_path / "reports", lang=lang)
    # everything but the restricted store, the operators' restricted exports and dbt's working
    # directory (compiled SQL, logs and timings, whose decimals can look like ID numbers; the
    # salt test scans it)
    dbt_target = FangpinPaths(landing_dir="", out_dir=str(run.out_dir)).dbt_target_dir
    outputs = [
        p
        for p in [*run.out_dir.rglob("*"), *(tmp_path / "reports").rglob("*")]
        if p.is_file()
        and p.suffix in {".html", ".json", ".md", ".csv", ".xlsx"}
        and "restricted_exports" not in p.parts
        and not p.is_relative_to(dbt_target)
    ]
    assert any(p.suffix == ".html" for p in outputs)
    assert any(p.suffix == ".xlsx" for p in outputs)
    assert any(p.name == "run_summary.json" for p in outputs)
    for path in outputs:
        # names of three characters or more too: a report has no reason to spell one out
        assert leaks_in_text(output_text(path), known, min_length=3) == [], path
