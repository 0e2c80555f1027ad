"""The SQL of the project's generic dbt tests, rendered as dbt renders it and run in DuckDB."""

from __future__ import annotations

import random
import re
from pathlib import Path

import duckdb
import jinja2
import pytest

GENERIC = Path(__file__).resolve().parents[2] / "dbt_project" / "tests" / "generic"


def _render(test: str, **kwargs: object) -> str:
    text = (GENERIC / f"{test}.sql").read_text(encoding="utf-8")
    body = re.search(r"{%\s*test\s+\w+\(.*?\)\s*%}(.*){%\s*endtest\s*%}", text, re.S)
    assert body is not None, f"no test block in {test}.sql"
    return jinja2.Template(body.group(1)).render(**kwargs)


def _repeated(con: duckdb.DuckDBPyConnection, columns: list[str]) -> list[tuple]:
    sql = _render("unique_combination_of_columns", model="t", combination_of_columns=columns)
    return sorted(con.execute(sql).fetchall(), key=repr)


def _plain(con: duckdb.DuckDBPyConnection, columns: list[str]) -> list[tuple]:
    keys = ", ".join(columns)
    sql = f"select {keys}, count(*) from t group by {keys} having count(*) > 1"
    return sorted(con.execute(sql).fetchall(), key=repr)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    with duckdb.connect() as con:
        con.execute("create table t (person_key varchar, year integer, note varchar)")
        yield con


def test_unique_keys_pass(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("insert into t values ('a', 2022, 'x'), ('a', 2023, 'x'), ('b', 2022, 'x')")
    assert _repeated(con, ["person_key", "year"]) == []


def test_repeated_keys_are_listed_with_their_counts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "insert into t values ('a', 2022, 'x'), ('a', 2022, 'y'), ('a', 2022, 'z'), "
        "('b', 2022, 'x'), ('b', 2023, 'x'), (null, 2023, 'x'), (null, 2023, 'y'), "
        "('c', null, 'x')"
    )
    assert _repeated(con, ["person_key", "year"]) == [("a", 2022, 3), (None, 2023, 2)]
    assert _repeated(con, ["person_key"]) == [("a", 3), ("b", 2), (None, 2)]


def test_same_rows_as_a_plain_group_by(con: duckdb.DuckDBPyConnection) -> None:
    rng = random.Random(7)
    rows = [
        (rng.choice([None, *map(str, range(300))]), rng.choice([None, 2021, 2022]), "x")
        for _ in range(2_000)
    ]
    con.executemany("insert into t values (?, ?, ?)", rows)
    for columns in (["person_key", "year"], ["year"], ["person_key", "year", "note"]):
        assert _repeated(con, columns) == _plain(con, columns)
        assert _repeated(con, columns)
