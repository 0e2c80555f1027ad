"""Soda v4 data contracts on the assessment marts (`expectations/soda/<mart>.yaml`).

A rule of SPEC §6 is a ``failed_rows`` check whose ``qualifier`` is the rule id and whose
``threshold.level`` is the rule's level: Soda 4 reports a breached ``level: warn`` threshold as
outcome WARN and a breached ``fail`` one (the default) as FAILED, so warn and fail rules live in
one contract. Soda returns how many rows failed but not which; `verify_mart_contract` lists a
sample of their keys itself, with the check's own ``expression`` read from the contract, on a
read-only DuckDB connection. Soda's own connection is read-only too.
"""

from __future__ import annotations

from expectations import _telemetry  # noqa: F401  (before soda_core)

# isort: split
import re
from pathlib import Path
from typing import Any

import duckdb
import yaml
from soda_core.common.data_source_impl import DataSourceImpl
from soda_core.common.dataset_identifier import DatasetIdentifier
from soda_core.common.yaml import DataSourceYamlSource
from soda_core.contracts import verify_contract_locally
from soda_core.contracts.contract_verification import CheckOutcome, CheckResult

from expectations.outcomes import ContractCheckResult, ContractOutcome, Level, jsonable
from expectations.sql import quote_identifier, relation_name
from ingestion import store

MARTS: tuple[str, ...] = ("mart_county_income_targets", "mart_measure_completeness")
CONTRACTS_DIR = Path(__file__).resolve().parent / "soda"
# failing rows whose keys are listed per check; the report has the full lists
SAMPLE_ROWS = 20

_RULE_ID = re.compile(r"^[A-Z][0-9]+$")
_COUNT_METRICS = ("failed_rows_count", "missing_count", "invalid_count", "duplicate_count")
_OUTCOMES = {
    CheckOutcome.PASSED: "passed",
    CheckOutcome.FAILED: "failed",
    CheckOutcome.WARN: "warn",
    CheckOutcome.NOT_EVALUATED: "not_evaluated",
    CheckOutcome.EXCLUDED: "excluded",
}


def contract_path(mart: str, contracts_dir: Path = CONTRACTS_DIR) -> Path:
    """The contract file of a mart."""
    path = contracts_dir / f"{mart}.yaml"
    if not path.exists():
        raise KeyError(f"no Soda contract for {mart!r}; known: {', '.join(MARTS)}")
    return path


def load_contract(mart: str, contracts_dir: Path = CONTRACTS_DIR) -> dict[str, Any]:
    """A mart's contract as plain data."""
    with open(contract_path(mart, contracts_dir), encoding="utf-8") as f:
        return yaml.safe_load(f)


def verify_mart_contract(
    mart: str,
    warehouse_db: Path,
    *,
    contracts_dir: Path = CONTRACTS_DIR,
    sample_rows: int = SAMPLE_ROWS,
) -> ContractOutcome:
    """Verify a mart of `warehouse_db` against its Soda contract, with the keys of a sample of
    the failing rows of every failed or warned check."""
    path = contract_path(mart, contracts_dir)
    contract = load_contract(mart, contracts_dir)
    if not Path(warehouse_db).exists():
        raise FileNotFoundError(f"warehouse {warehouse_db} does not exist")
    dataset = DatasetIdentifier.parse(contract["dataset"])

    data_source = DataSourceImpl.from_yaml_source(
        DataSourceYamlSource.from_str(_data_source_yaml(dataset.data_source_name, warehouse_db))
    )
    try:
        session = verify_contract_locally(data_sources=[data_source], contract_file_path=str(path))
    finally:
        data_source.close_connection()

    results = session.contract_verification_results
    errors = [str(e) for e in session.get_errors()]
    if not results:
        return ContractOutcome(mart=mart, checks=[], errors=errors or ["no verification result"])
    key_columns = _key_columns(contract)
    relation = relation_name(*dataset.prefixes, dataset.dataset_name)
    conditions = _failing_row_conditions(contract, relation)

    checks: list[ContractCheckResult] = []
    with store.connect(warehouse_db, read_only=True) as con:
        for check_result in results[0].check_results:
            check = check_result.check
            outcome = _OUTCOMES.get(check_result.outcome, str(check_result.outcome))
            failing_keys: list[dict[str, Any]] = []
            condition = conditions.get((check.type, check.column_name, check.qualifier))
            if outcome in ("failed", "warn") and condition is not None:
                if contract.get("filter"):
                    condition = f"({condition}) and ({contract['filter']})"
                try:
                    failing_keys = _sample_keys(con, relation, key_columns, condition, sample_rows)
                except duckdb.Error as e:
                    errors.append(f"{check.name}: could not list the failing rows: {e}")
            checks.append(
                ContractCheckResult(
                    name=check.name or check.type,
                    rule=check.qualifier if _RULE_ID.match(check.qualifier or "") else None,
                    level=_level(check_result),
                    passed=outcome == "passed",
                    outcome=outcome,
                    check_type=check.type,
                    column=check.column_name,
                    failed_rows_count=_failed_rows_count(check_result),
                    key_columns=key_columns,
                    failing_keys=failing_keys,
                )
            )
    return ContractOutcome(mart=mart, checks=checks, errors=errors)


def _data_source_yaml(name: str, warehouse_db: Path) -> str:
    # soda-duckdb's connection keys: database, read_only, configuration, schema (unused by
    # queries: the contract's dataset names the schema)
    return yaml.safe_dump(
        {
            "type": "duckdb",
            "name": name,
            "connection": {"database": str(warehouse_db), "read_only": True},
        }
    )


def _level(check_result: CheckResult) -> Level:
    threshold = check_result.check.threshold
    level = getattr(threshold, "level", "fail") if threshold is not None else "fail"
    return "warn" if str(getattr(level, "value", level)).lower() == "warn" else "fail"


def _failed_rows_count(check_result: CheckResult) -> int | None:
    diagnostics = check_result.diagnostic_metric_values or {}
    for metric in _COUNT_METRICS:
        if diagnostics.get(metric) is not None:
            return int(diagnostics[metric])
    return None


def _key_columns(contract: dict[str, Any]) -> list[str]:
    """The mart's key: the columns of its dataset-level duplicate check."""
    for check in contract.get("checks") or []:
        if isinstance(check, dict) and isinstance(check.get("duplicate"), dict):
            return list(check["duplicate"]["columns"])
    return [contract["columns"][0]["name"]]


def _failing_row_conditions(contract: dict[str, Any], relation: str) -> dict[tuple, str]:
    """For each check that can name its failing rows: (type, column, qualifier) → the SQL
    condition of a failing row, as the contract defines it."""
    conditions: dict[tuple, str] = {}
    for check in contract.get("checks") or []:
        for check_type, body in (check or {}).items():
            body = body or {}
            identity = (check_type, None, body.get("qualifier"))
            if check_type == "failed_rows" and body.get("expression"):
                conditions[identity] = body["expression"]
            elif check_type == "duplicate" and body.get("columns"):
                keys = ", ".join(quote_identifier(c) for c in body["columns"])
                conditions[identity] = (
                    f"({keys}) in (select {keys} from {relation} group by {keys} "
                    "having count(*) > 1)"
                )
    for column in contract.get("columns") or []:
        name = quote_identifier(column["name"])
        for check in column.get("checks") or []:
            for check_type, body in (check or {}).items():
                body = body or {}
                identity = (check_type, column["name"], body.get("qualifier"))
                if check_type == "missing":
                    conditions[identity] = f"{name} is null"
                elif check_type == "invalid" and body.get("valid_format"):
                    regex = body["valid_format"]["regex"].replace("'", "''")
                    conditions[identity] = (
                        f"{name} is not null and not regexp_matches({name}, '{regex}')"
                    )
    return conditions


def _sample_keys(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    key_columns: list[str],
    where: str,
    limit: int,
) -> list[dict[str, Any]]:
    keys = ", ".join(quote_identifier(k) for k in key_columns)
    rows = con.execute(
        f"select {keys} from {relation} where {where} order by {keys} limit {int(limit)}"
    ).fetchall()
    return [{k: jsonable(v) for k, v in zip(key_columns, row, strict=True)} for row in rows]


def contract_rules(contract: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule id, check name) of each SPEC §6 rule check of a contract, in contract order."""
    rules = []
    for check in contract.get("checks", []):
        for body in check.values():
            qualifier = body.get("qualifier") if isinstance(body, dict) else None
            if qualifier and _RULE_ID.match(qualifier):
                rules.append((qualifier, body.get("name", qualifier)))
    return rules
