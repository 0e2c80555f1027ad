"""Plain results of the landing suites and the mart contracts, shaped for Dagster asset checks.

Each outcome has ``passed``, ``severity`` ("ERROR" or "WARN", the values of Dagster's
``AssetCheckSeverity``) and ``to_metadata()`` (a flat dict of JSON-able values; keys ending in
``_md`` hold a markdown table), so the wiring is one line::

    AssetCheckResult(
        passed=o.passed, severity=AssetCheckSeverity(o.severity), metadata=o.to_metadata()
    )

Levels follow SPEC §6: ``fail`` breaks the check, ``warn`` only warns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import pandas as pd

Level = Literal["fail", "warn"]

# rows of a markdown table in metadata; the full lists belong in the report, not the check
MARKDOWN_ROWS = 20


def jsonable(value: Any) -> Any:
    """Plain JSON-able Python values from numpy / pandas / DuckDB scalars."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (np.datetime64, pd.Timestamp, datetime)):
        if pd.isna(value):
            return None
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Decimal):
        return float(value)
    return None if pd.isna(value) else str(value)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    """A GitHub-style markdown table; empty string when there are no rows."""
    if not rows:
        return ""
    lines = [
        "| " + " | ".join(_cell(h) for h in header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows[:MARKDOWN_ROWS]]
    if len(rows) > MARKDOWN_ROWS:
        lines.append(f"| … {len(rows) - MARKDOWN_ROWS} more |" + " |" * (len(header) - 1))
    return "\n".join(lines)


def _severity(failing_levels: list[Level]) -> Literal["ERROR", "WARN"]:
    return "ERROR" if "fail" in failing_levels or not failing_levels else "WARN"


@dataclass(frozen=True)
class ExpectationResult:
    """One expectation of a landing suite (or one SQL table-wide check) on one batch."""

    expectation_type: str
    column: str | None
    success: bool
    unexpected_count: int | None = None
    unexpected_values: list[Any] = field(default_factory=list)
    level: Level = "fail"
    observed_value: Any = None
    message: str | None = None

    @property
    def passed(self) -> bool:
        return self.success


@dataclass(frozen=True)
class SuiteOutcome:
    """A landing suite's verdict on one raw table (values of PII columns already masked)."""

    table: str
    success: bool
    evaluated_rows: int
    results: list[ExpectationResult]
    suite: str = "gx"

    @property
    def passed(self) -> bool:
        return self.success

    @property
    def failures(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success]

    @property
    def severity(self) -> Literal["ERROR", "WARN"]:
        """ERROR when a fail-level expectation failed, WARN when only warn-level ones did."""
        return _severity([r.level for r in self.failures])

    def to_metadata(self) -> dict[str, Any]:
        """Flat JSON-able metadata: counts and a markdown table of the failing expectations."""
        failures = self.failures
        return {
            "table": self.table,
            "suite": self.suite,
            "evaluated_rows": self.evaluated_rows,
            "expectations": len(self.results),
            "expectations_failed": sum(r.level == "fail" for r in failures),
            "expectations_warned": sum(r.level == "warn" for r in failures),
            "unexpected_rows_total": sum(r.unexpected_count or 0 for r in failures),
            "failures_md": markdown_table(
                ["expectation", "column", "level", "unexpected", "observed", "examples"],
                [
                    [
                        r.expectation_type,
                        r.column,
                        r.level,
                        r.unexpected_count,
                        r.observed_value if r.message is None else r.message,
                        ", ".join(str(v) for v in r.unexpected_values),
                    ]
                    for r in failures
                ],
            ),
        }


@dataclass(frozen=True)
class ContractCheckResult:
    """One check of a mart contract: a rule of SPEC §6 (T2, C1 …) or a schema / key check."""

    name: str
    rule: str | None
    level: Level
    passed: bool
    outcome: str
    check_type: str
    column: str | None = None
    failed_rows_count: int | None = None
    key_columns: list[str] = field(default_factory=list)
    failing_keys: list[dict[str, Any]] = field(default_factory=list)

    @property
    def severity(self) -> Literal["ERROR", "WARN"]:
        """ERROR for a fail-level check or one that could not be evaluated, WARN otherwise."""
        if self.outcome == "not_evaluated":
            return "ERROR"
        return "WARN" if self.level == "warn" else "ERROR"

    def failing_keys_md(self) -> str:
        """The sample of failing rows' keys as a markdown table."""
        return markdown_table(
            self.key_columns, [[row.get(k) for k in self.key_columns] for row in self.failing_keys]
        )

    def to_metadata(self) -> dict[str, Any]:
        """Flat JSON-able metadata of this one check."""
        return {
            "check": self.name,
            "rule": self.rule,
            "level": self.level,
            "outcome": self.outcome,
            "failed_rows_count": self.failed_rows_count,
            "failing_rows_md": self.failing_keys_md(),
        }


@dataclass(frozen=True)
class ContractOutcome:
    """A Soda contract's verdict on one mart."""

    mart: str
    checks: list[ContractCheckResult]
    errors: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.errors and all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[ContractCheckResult]:
        return [c for c in self.checks if not c.passed]

    @property
    def severity(self) -> Literal["ERROR", "WARN"]:
        """ERROR when a fail-level check failed (or Soda reported an error), WARN when only
        warn-level checks did."""
        if self.errors or any(c.severity == "ERROR" for c in self.failures):
            return "ERROR"
        return "WARN" if self.failures else "ERROR"

    def check(self, rule: str) -> ContractCheckResult:
        """The check of one rule id (T2, C1 …)."""
        for c in self.checks:
            if c.rule == rule:
                return c
        raise KeyError(f"{self.mart} has no check for rule {rule!r}")

    def to_metadata(self) -> dict[str, Any]:
        """Flat JSON-able metadata: counts per rule and a markdown table of failing rows' keys."""
        metadata: dict[str, Any] = {
            "mart": self.mart,
            "checks": len(self.checks),
            "checks_failed": sum(c.severity == "ERROR" for c in self.failures),
            "checks_warned": sum(c.severity == "WARN" for c in self.failures),
            "errors": "; ".join(self.errors),
        }
        for c in self.checks:
            if c.rule is not None:
                metadata[f"{c.rule}_failed_rows_count"] = c.failed_rows_count
        rows: list[list[Any]] = []
        for c in self.failures:
            keys = [", ".join(f"{k}={row.get(k)}" for k in c.key_columns) for row in c.failing_keys]
            rows.append([c.rule or "", c.name, c.level, c.outcome, c.failed_rows_count, keys])
        metadata["failing_rows_md"] = markdown_table(
            ["rule", "check", "level", "outcome", "failed rows", "sample keys"],
            [[*row[:5], "; ".join(row[5])] for row in rows],
        )
        return metadata
