"""Soda contracts on the assessment marts as Dagster asset checks: one check per rule of SPEC §6.

The rules (T2, C1 …) are read from the contracts in expectations/soda/, so each rule shows in
Dagster with its own outcome, severity and failing rows; the contract's structural checks
(schema, key, row count) form one more check per mart.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg

from expectations.soda_runner import (
    CONTRACTS_DIR,
    contract_rules,
    load_contract,
    verify_mart_contract,
)
from orchestration.resources import FangpinPaths

STRUCTURE_CHECK = "contract_structure"


def build_mart_checks(mart: str) -> dg.AssetChecksDefinition:
    asset = dg.AssetKey(["marts", mart])
    rules = contract_rules(load_contract(mart))
    specs = [
        dg.AssetCheckSpec(name=f"soda_{rule.lower()}", asset=asset, description=name)
        for rule, name in rules
    ] + [
        dg.AssetCheckSpec(
            name=STRUCTURE_CHECK, asset=asset, description="Soda contract: schema, key, row count"
        )
    ]

    @dg.multi_asset_check(specs=specs, name=f"soda_{mart}")
    def _checks(paths: FangpinPaths) -> Iterator[dg.AssetCheckResult]:
        outcome = verify_mart_contract(mart, paths.warehouse_db)
        for rule, _ in rules:
            result = outcome.check(rule)
            yield dg.AssetCheckResult(
                asset_key=asset,
                check_name=f"soda_{rule.lower()}",
                passed=result.passed,
                severity=dg.AssetCheckSeverity(result.severity),
                metadata=result.to_metadata(),
            )
        structural = [c for c in outcome.checks if not c.rule]
        failing = [c for c in structural if not c.passed]
        yield dg.AssetCheckResult(
            asset_key=asset,
            check_name=STRUCTURE_CHECK,
            passed=not failing and not outcome.errors,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "checks": len(structural),
                "failed": ", ".join(c.name for c in failing) or "none",
                "errors": "; ".join(outcome.errors) or "none",
            },
        )

    return _checks


MARTS_WITH_CONTRACTS = sorted(path.stem for path in CONTRACTS_DIR.glob("*.yaml"))
mart_checks = [build_mart_checks(mart) for mart in MARTS_WITH_CONTRACTS]
