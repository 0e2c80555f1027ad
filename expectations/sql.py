"""Small DuckDB helpers shared by the landing and mart runners."""

from __future__ import annotations

import duckdb


def quote_identifier(identifier: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def relation_name(*parts: str) -> str:
    """A qualified, quoted relation name: schema.table (or catalog.schema.table)."""
    return ".".join(quote_identifier(p) for p in parts)


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    """Column names of schema.table in order; empty when the table does not exist."""
    rows = con.execute(
        """
        select column_name
        from information_schema.columns
        where table_schema = ? and table_name = ?
        order by ordinal_position
        """,
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]
