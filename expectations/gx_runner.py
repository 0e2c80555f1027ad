"""Great Expectations suites on the landing batches (the raw tables of `restricted.duckdb`).

Each suite is data, `expectations/gx/<table>.yaml`: a list of GX expectation types with their
kwargs (values lists and bounds as ``{ref: …}``, see `expectations.references`), optional
``severity: warning`` for plausibility checks, and optional ``derived_columns`` (SQL
expressions computed while the batch is read). `build_suite` turns one into a
``gx.ExpectationSuite``; `run_landing_suite` reads just the columns it needs from DuckDB into
pandas and validates them. Table-wide checks (key uniqueness, row count) run in SQL in
`run_landing_sql_checks`, because a pandas batch of millions of rows is the wrong tool for them.
"""

from __future__ import annotations

from expectations import _telemetry  # noqa: F401  (before great_expectations)

# isort: split
import contextlib
import ctypes
import dataclasses
import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import great_expectations as gx
import pandas as pd
import pyarrow as pa
import yaml
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.execution_engine import pandas_execution_engine
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from expectations.outcomes import ExpectationResult, Level, SuiteOutcome, jsonable
from expectations.references import (
    SEEDS_DIR,
    SOURCES_YAML,
    SUITES_DIR,
    mask,
    pii_columns,
    resolve_refs,
    source_spec,
)
from expectations.sql import quote_identifier, relation_name, table_columns
from ingestion import store
from ingestion.config import contract_digest, files_digest
from ingestion.rules import repeated_keys_sql

LANDING_TABLES: tuple[str, ...] = (
    "regions",
    "monitoring_lines",
    "households",
    "members",
    "income",
    "monitoring_episodes",
    "measures",
    "rural_growth",
)
RAW_SCHEMA = "raw"
# unexpected values kept per expectation; enough to recognise the problem, not a list of rows
UNEXPECTED_EXAMPLES = 5

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Expectations that only compare a column's values with bounds (or NULL): their batch reads
# integer columns as DOUBLE, which GX compares in one vectorised step (an int32 or nullable
# column goes through a Python call per value); integers up to 2**53 are exact as doubles.
_BOUNDS_ONLY = frozenset(
    {
        "expect_column_values_to_be_between",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_mean_to_be_between",
    }
)
# expectations on a statistic of the whole column: their batch is not split into chunks
_AGGREGATE = frozenset({"expect_column_mean_to_be_between"})
# rows per pandas frame a batch is validated in
CHUNK_ROWS = 2_097_152
# DuckDB only streams columns to Python here (as Arrow); the memory is pandas' and GX's
READER_MEMORY_LIMIT = "512MB"
# the key-uniqueness aggregates run inside the Dagster process, beside everything it holds;
# past this DuckDB spills the aggregate to disk rather than grow the process
SQL_CHECKS_MEMORY_LIMIT = "1GB"
_INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"})
# the pandas types DuckDB's `df()` gives integer and boolean columns that hold a NULL (Arrow
# would make floats and objects of them); without NULLs both give the NumPy types
_WITH_NULLS = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}
# GX fingerprints every pandas batch under 1e9 bytes by hashing all of it (twice per
# validation), which takes longer than the validation itself on a province's members and is
# used for nothing here: the batches are built and validated once, in memory.
pandas_execution_engine.HASH_THRESHOLD = 0


@dataclasses.dataclass(frozen=True)
class LandingChecks:
    """The GX suite's and the SQL checks' outcomes on one raw table (`run_landing_checks`)."""

    suite: SuiteOutcome
    sql: SuiteOutcome
    # when the outcomes were computed; `reused` when that was an earlier run, on the same rows
    validated_at: str
    reused: bool
    content_digest: str | None

    def to_metadata(self) -> dict[str, Any]:
        """The suite's metadata, the SQL checks' prefixed `sql_`, and where they come from."""
        metadata = dict(self.suite.to_metadata())
        metadata.update({f"sql_{k}": v for k, v in self.sql.to_metadata().items()})
        metadata.update(
            validated_at=self.validated_at,
            reused=self.reused,
            content_digest=self.content_digest,
        )
        return metadata


def checks_digest() -> str:
    """SHA-256 of everything but the rows that decides the landing checks' outcomes: the suites,
    the code of `expectations`, the ingestion contract (sources.yaml, seeds, code) and the
    versions of the libraries that validate."""
    code = sorted(Path(__file__).parent.glob("*.py")) + sorted(SUITES_DIR.glob("*.yaml"))
    versions = [gx.__version__, duckdb.__version__, pd.__version__, pa.__version__]
    text = "\t".join([contract_digest(), files_digest(code), *versions])
    return hashlib.sha256(text.encode()).hexdigest()


def checks_dir(restricted_db: Path) -> Path:
    """Where the outcomes of the last landing checks of a restricted store are kept: beside it."""
    restricted_db = Path(restricted_db)
    return restricted_db.parent / f"{restricted_db.stem}-checks"


def _outcome(data: Mapping[str, Any]) -> SuiteOutcome:
    results = [ExpectationResult(**r) for r in data["results"]]
    return SuiteOutcome(**{**data, "results": results})


def run_landing_checks(table: str, restricted_db: Path) -> LandingChecks:
    """`run_landing_suite` and `run_landing_sql_checks` of `raw.<table>`, or their outcomes of
    an earlier run when the table holds the same rows (`store.content_digest`) and
    `checks_digest` is the same: the checks read nothing else, so they would give the same
    outcomes. The outcomes are kept in `checks_dir`, one JSON file per table, PII masked as
    in the checks' metadata; deleting that directory makes every check run again."""
    with store.connect(restricted_db, read_only=True, limit=SQL_CHECKS_MEMORY_LIMIT) as con:
        exists = bool(table_columns(con, RAW_SCHEMA, table))
        digest = store.content_digest(con, relation_name(RAW_SCHEMA, table)) if exists else None
    key = hashlib.sha256(f"{table}\t{digest}\t{checks_digest()}".encode()).hexdigest()
    path = checks_dir(restricted_db) / f"{table}.json"
    if digest is not None and path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored.get("key") == key:
            return LandingChecks(
                suite=_outcome(stored["suite"]),
                sql=_outcome(stored["sql"]),
                validated_at=stored["validated_at"],
                reused=True,
                content_digest=digest,
            )
    checks = LandingChecks(
        suite=run_landing_suite(table, restricted_db),
        sql=run_landing_sql_checks(table, restricted_db),
        validated_at=datetime.now().replace(microsecond=0).isoformat(),
        reused=False,
        content_digest=digest,
    )
    if digest is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        stored = {
            "key": key,
            "validated_at": checks.validated_at,
            "suite": jsonable(dataclasses.asdict(checks.suite)),
            "sql": jsonable(dataclasses.asdict(checks.sql)),
        }
        partial = path.with_suffix(".json.partial")
        partial.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    return checks


def load_suite_spec(table: str, suites_dir: Path = SUITES_DIR) -> dict[str, Any]:
    """The suite definition of one raw table, as written in `gx/<table>.yaml`."""
    path = suites_dir / f"{table}.yaml"
    if not path.exists():
        raise KeyError(f"no landing suite for {table!r}; known: {', '.join(LANDING_TABLES)}")
    with open(path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    if spec.get("table") != table:
        raise ValueError(f"{path} describes table {spec.get('table')!r}, not {table!r}")
    return spec


def build_suite(
    spec: Mapping[str, Any],
    *,
    sources_yaml: Path = SOURCES_YAML,
    seeds_dir: Path = SEEDS_DIR,
) -> gx.ExpectationSuite:
    """A ``gx.ExpectationSuite`` from a suite definition, with every ``{ref: …}`` resolved."""
    expectations = [
        ExpectationConfiguration(
            type=entry["type"],
            kwargs=resolve_refs(dict(entry.get("kwargs", {})), sources_yaml, seeds_dir),
            severity=entry.get("severity", "critical"),
            description=entry.get("description"),
        ).to_domain_obj()
        for entry in spec["expectations"]
    ]
    # built whole: add_expectation() would look for a data context to save the suite to
    return gx.ExpectationSuite(name=f"landing.{spec['table']}", expectations=expectations)


def run_landing_suite(
    table: str,
    restricted_db: Path,
    *,
    sources_yaml: Path = SOURCES_YAML,
    seeds_dir: Path = SEEDS_DIR,
    suites_dir: Path = SUITES_DIR,
    sample_rows: int | None = None,
) -> SuiteOutcome:
    """Validate `raw.<table>` of the restricted store against its landing suite.

    The whole table by default; with `sample_rows`, a repeatable reservoir sample of that many
    rows (for a province-sized members table, where the row rules of ingestion are the first
    line and this suite a sanity check). `evaluated_rows` says which it was.
    """
    spec = load_suite_spec(table, suites_dir)
    suite = build_suite(spec, sources_yaml=sources_yaml, seeds_dir=seeds_dir)
    derived: dict[str, str] = dict(spec.get("derived_columns") or {})
    pii = pii_columns(table, sources_yaml)

    declared = _declared_columns(table, sources_yaml)
    with store.connect(restricted_db, read_only=True, limit=READER_MEMORY_LIMIT) as con:
        existing = table_columns(con, RAW_SCHEMA, table)
        if not existing:
            return _missing_table_outcome(table, "gx", sources_yaml)
        present = set(existing)
        needed: set[str] = set()
        for expectation in suite.expectations:
            needed |= _referenced_columns(expectation.configuration.kwargs) - set(derived)
        for sql in derived.values():
            needed |= _identifiers(sql) & declared
        missing = needed - present
        usable_derived = {
            name: sql for name, sql in derived.items() if not _identifiers(sql) & missing
        }
        unusable = missing | (set(derived) - set(usable_derived))
        if unusable:
            suite = _without_columns(suite, unusable)
        results = [
            ExpectationResult(
                expectation_type="expect_column_to_exist",
                column=column,
                success=False,
                message=f"column {column} is missing from {RAW_SCHEMA}.{table}",
            )
            for column in sorted(missing)
        ]
        evaluated_rows = _batch_rows(con, table, sample_rows)
        # one batch per set of columns the expectations read (GX filters the whole frame for
        # each expectation: one frame of every column costs more than one per column set), in
        # chunks of rows (a province's members table as one pandas frame would take gigabytes).
        # Every expectation still sees every row; the chunks' results are added up (`_merged`).
        types = _column_types(con, table)
        validated: dict[str, list[ExpectationResult]] = {}
        for columns, expectations in _column_groups(suite, usable_derived):
            bounds_only = all(e.expectation_type in _BOUNDS_ONLY for e in expectations)
            whole = any(e.expectation_type in _AGGREGATE for e in expectations)
            part = gx.ExpectationSuite(name=suite.name, expectations=expectations)
            for frame in _read_batch(
                con,
                table,
                [c for c in existing if c in columns],
                {n: q for n, q in usable_derived.items() if n in columns},
                sample_rows,
                as_double={c for c in columns if bounds_only and types.get(c) in _INTEGER_TYPES},
                chunk_rows=None if whole else CHUNK_ROWS,
            ):
                for result in _validate(frame, part).results:
                    key = _identity(result.expectation_config)
                    validated.setdefault(key, []).append(_expectation_result(result, pii))
                del frame

    _release_memory()
    # report the expectations in the order the suite lists them
    order = [_identity(e.configuration) for e in suite.expectations]
    results += [_merged(validated[key]) for key in order if key in validated]
    return SuiteOutcome(
        table=table,
        success=all(r.success for r in results),
        evaluated_rows=evaluated_rows,
        results=results,
        suite="gx",
    )


def _release_memory() -> None:
    """Give the batches' freed memory back to the system: glibc keeps freed heap for the
    process otherwise, and Arrow's allocator (mimalloc) its freed pages (about 150 MB after a
    province's members), and the steps after the checks (DuckDB, dbt) need it. The batches
    are freed as they go out of use (no reference cycle holds one but GX's own context, which
    keeps the latest), so no garbage collection is needed first."""
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _column_groups(
    suite: gx.ExpectationSuite, derived: Mapping[str, str]
) -> list[tuple[frozenset[str], list[Any]]]:
    """The suite's expectations grouped by the set of columns (own or derived) they read."""
    groups: dict[frozenset[str], list[Any]] = {}
    for expectation in suite.expectations:
        columns = frozenset(_referenced_columns(expectation.configuration.kwargs))
        groups.setdefault(columns, []).append(expectation.configuration.to_domain_obj())
    return list(groups.items())


def _column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """DuckDB type of each column of `raw.<table>`, as DuckDB spells it (INTEGER, DECIMAL(18,2))."""
    relation = con.sql(f"select * from {relation_name(RAW_SCHEMA, table)}")
    return {name: str(t).upper() for name, t in zip(relation.columns, relation.types, strict=True)}


def _batch_rows(con: duckdb.DuckDBPyConnection, table: str, sample_rows: int | None) -> int:
    [(count,)] = con.execute(f"select count(*) from {relation_name(RAW_SCHEMA, table)}").fetchall()
    return min(count, sample_rows) if sample_rows is not None else count


def run_landing_sql_checks(
    table: str,
    restricted_db: Path,
    *,
    sources_yaml: Path = SOURCES_YAML,
) -> SuiteOutcome:
    """Table-wide checks of `raw.<table>` in SQL: rows were loaded (unless the source is
    optional) and every column set declared `unique` in sources.yaml is unique.

    The `unique` sets, not `key`: sources.yaml enforces only those at ingestion (a monitoring
    episode still at risk is listed again in later ledgers, so its `key` repeats in raw).
    """
    spec = source_spec(table, sources_yaml)
    unique_sets: list[list[str]] = [list(u["columns"]) for u in spec.get("unique") or []]
    optional = bool(spec.get("optional", False))
    pii = pii_columns(table, sources_yaml)

    with store.connect(restricted_db, read_only=True, limit=SQL_CHECKS_MEMORY_LIMIT) as con:
        existing = table_columns(con, RAW_SCHEMA, table)
        if not existing:
            return _missing_table_outcome(table, "sql", sources_yaml)
        relation = relation_name(RAW_SCHEMA, table)
        (row_count,) = con.execute(f"select count(*) from {relation}").fetchone()
        loaded = row_count > 0 or optional
        results = [
            ExpectationResult(
                expectation_type="expect_table_row_count_to_be_between",
                column=None,
                success=loaded,
                observed_value=row_count,
                message=None if loaded else f"no rows in {RAW_SCHEMA}.{table}",
            )
        ]
        for columns in unique_sets:
            missing = [c for c in columns if c not in existing]
            if missing:
                results.append(
                    ExpectationResult(
                        expectation_type=_uniqueness_type(columns),
                        column=",".join(columns),
                        success=False,
                        message=f"column(s) {', '.join(missing)} missing from {RAW_SCHEMA}.{table}",
                    )
                )
            else:
                results.append(_uniqueness(con, relation, columns, pii))

    return SuiteOutcome(
        table=table,
        success=all(r.success for r in results),
        evaluated_rows=row_count,
        results=results,
        suite="sql",
    )


def _uniqueness_type(columns: list[str]) -> str:
    if len(columns) == 1:
        return "expect_column_values_to_be_unique"
    return "expect_compound_columns_to_be_unique"


def _uniqueness(
    con: duckdb.DuckDBPyConnection, relation: str, key: list[str], pii: frozenset[str]
) -> ExpectationResult:
    """Rows whose (non-null) values of `key` repeat, counted like GX's compound uniqueness.

    One query gives the total and the examples.
    """
    quoted = [quote_identifier(k) for k in key]
    columns = ", ".join(quoted)
    not_null = " and ".join(f"{k} is not null" for k in quoted)
    rows = con.execute(f"""
        with duplicates as ({repeated_keys_sql(relation, quoted, not_null)})
        select {columns}, sum(n) over () as duplicated_rows
        from duplicates
        order by n desc, {columns}
        limit {UNEXPECTED_EXAMPLES}
    """).fetchall()
    duplicated_rows = rows[0][-1] if rows else 0
    examples = [row[:-1] for row in rows]
    return ExpectationResult(
        expectation_type=_uniqueness_type(key),
        column=",".join(key),
        success=duplicated_rows == 0,
        unexpected_count=int(duplicated_rows),
        unexpected_values=[
            {k: (mask(v) if k in pii else jsonable(v)) for k, v in zip(key, row, strict=True)}
            for row in examples
        ],
    )


def _context_config() -> DataContextConfig:
    # in-memory stores, no analytics, no tqdm bars on stderr for every validation
    return DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )


@functools.cache
def _batch_definition() -> Any:
    """The whole-dataframe batch definition, in an ephemeral GX context, that every frame is
    validated with. One for the process: a context per frame costs more than validating a
    column of it, and a context per suite is a reference cycle that keeps its last frame until
    a full garbage collection (a third of a second in the Dagster process). GX keeps the batch
    of the latest frame only."""
    context = gx.get_context(mode="ephemeral", project_config=_context_config())
    return (
        context.data_sources.add_pandas("landing")
        .add_dataframe_asset("landing_batch")
        .add_batch_definition_whole_dataframe("whole_batch")
    )


def _validate(frame: pd.DataFrame, suite: gx.ExpectationSuite) -> Any:
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    return batch.validate(
        suite,
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": UNEXPECTED_EXAMPLES},
    )


def _expectation_result(result: Any, pii: frozenset[str]) -> ExpectationResult:
    configuration = result.expectation_config
    kwargs = configuration.kwargs
    columns = _expectation_columns(kwargs)
    details: dict[str, Any] = result.result or {}
    # a missing value is no example (not-null expectations list only those)
    examples = [jsonable(v) for v in details.get("partial_unexpected_list") or []]
    examples = [v for v in examples if v is not None]
    if pii & set(columns):
        examples = [mask(v) for v in examples]
    severity = str(getattr(configuration.severity, "value", configuration.severity))
    level: Level = "fail" if severity == "critical" else "warn"
    return ExpectationResult(
        expectation_type=configuration.type,
        column=",".join(columns) or None,
        success=bool(result.success),
        unexpected_count=details.get("unexpected_count"),
        unexpected_values=examples,
        level=level,
        observed_value=jsonable(details.get("observed_value")),
        message=_exception_message(result.exception_info),
    )


def _identity(configuration: ExpectationConfiguration) -> str:
    kwargs = {k: v for k, v in configuration.kwargs.items() if k != "batch_id"}
    return configuration.type + json.dumps(kwargs, sort_keys=True, default=str)


def _exception_message(exception_info: Any) -> str | None:
    if not exception_info:
        return None
    infos = [exception_info] if "raised_exception" in exception_info else exception_info.values()
    messages = {
        str(info.get("exception_message"))
        for info in infos
        if isinstance(info, Mapping) and info.get("raised_exception")
    }
    return "; ".join(sorted(messages)) or None


def _expectation_columns(kwargs: Mapping[str, Any]) -> list[str]:
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)]
    columns += list(kwargs.get("column_list") or [])
    return [str(c) for c in columns]


def _referenced_columns(kwargs: Mapping[str, Any]) -> set[str]:
    """Columns an expectation reads: its own and those of its row condition."""
    names = set(_expectation_columns(kwargs))

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            column = node.get("column")
            if isinstance(column, Mapping) and "name" in column:
                names.add(str(column["name"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    condition = kwargs.get("row_condition")
    walk(condition.dict() if hasattr(condition, "dict") else condition)
    return names


def _without_columns(suite: gx.ExpectationSuite, missing: set[str]) -> gx.ExpectationSuite:
    kept = [
        e.configuration.to_domain_obj()
        for e in suite.expectations
        if not _referenced_columns(e.configuration.kwargs) & missing
    ]
    return gx.ExpectationSuite(name=suite.name, expectations=kept)


def _identifiers(sql: str) -> set[str]:
    without_strings = re.sub(r"'[^']*'", "''", sql)
    return set(_IDENTIFIER.findall(without_strings))


def _declared_columns(table: str, sources_yaml: Path) -> set[str]:
    """Columns a raw table should have: its source's columns, the path columns and the lineage
    columns (docs/architecture.md)."""
    columns = set(source_spec(table, sources_yaml)["columns"])
    return columns | {"year", "county_code", "source_file", "source_sheet", "source_row_number"}


def _read_batch(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Iterable[str],
    derived: Mapping[str, str],
    sample_rows: int | None = None,
    as_double: Iterable[str] = (),
    chunk_rows: int | None = None,
) -> Iterator[pd.DataFrame]:
    """The batch as pandas frames: one, or one per `chunk_rows` rows (the last may be short).

    The columns reach Python as Arrow (strings stay Arrow strings, which is what pandas' `str`
    columns are: DuckDB's `df()` makes Python strings of them first) and take the pandas types
    DuckDB's `df()` would give them, chunk by chunk: DECIMAL and HUGEINT as float64, DATE as
    datetime64[us], an integer or boolean column as its nullable pandas type where the chunk
    holds a NULL. `as_double` names integer columns to read as DOUBLE (see `_BOUNDS_ONLY`).
    """
    select = [quote_identifier(c) for c in columns]
    select += [f"({sql}) as {quote_identifier(name)}" for name, sql in derived.items()]
    if not select:
        select = ["1 as _row"]
    sql = f"select {', '.join(select)} from {relation_name(RAW_SCHEMA, table)}"
    if sample_rows is not None:
        sql += f" using sample reservoir({int(sample_rows)} rows) repeatable (42)"
    batch = con.sql(sql)
    doubles = set(as_double)
    typed = []
    for name, duckdb_type in zip(batch.columns, batch.types, strict=True):
        kind = str(duckdb_type).upper()
        column = quote_identifier(name)
        if name in doubles or kind.startswith("DECIMAL") or kind in ("HUGEINT", "UHUGEINT"):
            column = f"cast({column} as double) as {column}"
        elif kind == "DATE":
            column = f"cast({column} as timestamp) as {column}"
        typed.append(column)
    reader = con.sql(f"select {', '.join(typed)} from ({sql})").to_arrow_reader()
    if chunk_rows is None:
        yield _frame(reader.read_all())
        return
    held: list[pa.RecordBatch] = []
    rows = 0
    frames = 0
    for record_batch in reader:
        while record_batch.num_rows:
            take = min(record_batch.num_rows, chunk_rows - rows)
            held.append(record_batch.slice(0, take))
            record_batch = record_batch.slice(take)
            rows += take
            if rows == chunk_rows:
                yield _frame(pa.Table.from_batches(held, reader.schema))
                held, rows, frames = [], 0, frames + 1
    if rows or not frames:  # an empty batch is still one frame to validate
        yield _frame(pa.Table.from_batches(held, reader.schema))


def _frame(table: pa.Table) -> pd.DataFrame:
    """A pandas frame of an Arrow table, column by column (see `_read_batch` for the types)."""
    return pd.DataFrame(
        {
            name: column.to_pandas(types_mapper=_WITH_NULLS.get)
            if column.null_count and column.type in _WITH_NULLS
            else column.to_pandas()
            for name, column in zip(table.column_names, table.columns, strict=True)
        },
        copy=False,
    )


def _merged(parts: list[ExpectationResult]) -> ExpectationResult:
    """One expectation's result over the chunks of its batch (a single part as it is)."""
    if len(parts) == 1:
        return parts[0]
    counts = [p.unexpected_count for p in parts if p.unexpected_count is not None]
    examples: list[Any] = []
    for part in parts:
        examples += [v for v in part.unexpected_values if v not in examples]
    messages = sorted({p.message for p in parts if p.message})
    return ExpectationResult(
        expectation_type=parts[0].expectation_type,
        column=parts[0].column,
        success=all(p.success for p in parts),
        unexpected_count=sum(counts) if counts else None,
        unexpected_values=examples[:UNEXPECTED_EXAMPLES],
        level=parts[0].level,
        observed_value=None,  # a statistic of one chunk is not one of the batch
        message="; ".join(messages) or None,
    )


def _missing_table_outcome(table: str, suite: str, sources_yaml: Path) -> SuiteOutcome:
    """No raw table: fine for an optional source that was not delivered, a failure otherwise."""
    if source_spec(table, sources_yaml).get("optional", False):
        return SuiteOutcome(table=table, success=True, evaluated_rows=0, results=[], suite=suite)
    return SuiteOutcome(
        table=table,
        success=False,
        evaluated_rows=0,
        results=[
            ExpectationResult(
                expectation_type="expect_table_to_exist",
                column=None,
                success=False,
                message=f"table {RAW_SCHEMA}.{table} does not exist",
            )
        ],
        suite=suite,
    )
