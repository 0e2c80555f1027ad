"""Connections to the project's DuckDB files, with the memory settings every process shares.

A province (SPEC §8) does not fit in memory as DuckDB's default (80 % of RAM) would like; the
pipeline must stay within 4 GB of RSS on the bureau's 2-core machine. Every connection the
project opens goes through `connect`, which sets DuckDB's `memory_limit` from
`FANGPIN_MEMORY_LIMIT` (the same variable dbt's profile reads). Past it, DuckDB spills to its
default temporary directory beside the database file (`<file>.tmp`), as dbt's connections do.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

ENV_MEMORY_LIMIT = "FANGPIN_MEMORY_LIMIT"
# what DuckDB may hold; the Python process around it (Dagster, pandas batches) needs the rest
DEFAULT_MEMORY_LIMIT = "2500MB"


def memory_limit() -> str:
    """DuckDB memory_limit of every connection (FANGPIN_MEMORY_LIMIT, default 2500MB)."""
    return os.environ.get(ENV_MEMORY_LIMIT) or DEFAULT_MEMORY_LIMIT


def connect(
    path: Path, read_only: bool = False, limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection to a DuckDB file with the project's memory limit (or `limit`, for a reader
    that only streams rows to Python, which needs the memory itself), no progress bars."""
    path = Path(path)
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        # set on the connection, not as connect() configuration: a second connection to a
        # file this process has open must not differ in configuration (DuckDB refuses it)
        con.execute(f"set memory_limit = '{limit or memory_limit()}'")
        con.execute("set enable_progress_bar = false")
    except BaseException:
        con.close()
        raise
    return con


def content_digest(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """The rows of a table, whatever their order: their count and the sum of DuckDB's 64-bit
    hash of each whole row. Equal digests mean equal rows (but for a 2**-64 chance); a
    different DuckDB version may hash differently, which only makes a digest differ.

    About a second for a province's 24 million members. `relation` is a quoted table name.
    """
    [(count, total)] = con.execute(
        f"select count(*), coalesce(sum(hash(_row)::hugeint), 0) from {relation} as _row"
    ).fetchall()
    return f"{count}:{total}"
