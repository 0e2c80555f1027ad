"""Asset checks on the raw tables: nothing lost (blocking) and each landing batch's GX suite."""

from __future__ import annotations

import dagster as dg

from expectations.accounting import check_accounting
from expectations.references import SUITES_DIR
from ingestion.load import SOURCE_GROUPS
from orchestration.ingestion.assets import raw_key
from orchestration.resources import FangpinPaths

RAW_TABLES = [table for tables in SOURCE_GROUPS.values() for table in tables]


def build_accounting_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(table),
        name="rows_accounted_for",
        blocking=True,
        description="Every row read is loaded or quarantined, and the ledger matches the stores.",
    )
    def _check(paths: FangpinPaths) -> dg.AssetCheckResult:
        outcome = check_accounting(table, paths.restricted_db)
        return dg.AssetCheckResult(
            passed=outcome.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata=outcome.to_metadata(),
        )

    return _check


def build_gx_check(table: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(table),
        name=f"gx_{table}",
        description=f"Great Expectations suite of the `{table}` batch, plus key uniqueness.",
    )
    def _check(paths: FangpinPaths) -> dg.AssetCheckResult:
        # Great Expectations takes seconds to import: loaded when the first suite runs, not
        # whenever the definitions are loaded (the Dagster UI, the sensors' ticks)
        from expectations.gx_runner import run_landing_checks

        checks = run_landing_checks(table, paths.restricted_db)
        failing = [o for o in (checks.suite, checks.sql) if not o.passed]
        return dg.AssetCheckResult(
            passed=not failing,
            severity=dg.AssetCheckSeverity(
                "ERROR" if any(o.severity == "ERROR" for o in failing) else "WARN"
            ),
            metadata=checks.to_metadata(),
        )

    return _check


landing_checks = [build_accounting_check(t) for t in RAW_TABLES] + [
    build_gx_check(t) for t in RAW_TABLES if (SUITES_DIR / f"{t}.yaml").exists()
]
