"""Check definitions: Great Expectations suites for the landing batches (`gx/`), Soda contracts
for the marts (`soda/`), and their runners.

Importing the package (or any module of it) switches GX and Soda telemetry off first; see
`expectations._telemetry`. The runners are loaded on first use, so importing a light module of
the package does not pull in GX and Soda.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from expectations import _telemetry  # noqa: F401

if TYPE_CHECKING:
    from expectations.gx_runner import (
        LANDING_TABLES,
        LandingChecks,
        build_suite,
        load_suite_spec,
        run_landing_checks,
        run_landing_sql_checks,
        run_landing_suite,
    )
    from expectations.outcomes import (
        ContractCheckResult,
        ContractOutcome,
        ExpectationResult,
        SuiteOutcome,
    )
    from expectations.soda_runner import MARTS, contract_path, verify_mart_contract

_EXPORTS = {
    "LANDING_TABLES": "expectations.gx_runner",
    "LandingChecks": "expectations.gx_runner",
    "run_landing_checks": "expectations.gx_runner",
    "build_suite": "expectations.gx_runner",
    "load_suite_spec": "expectations.gx_runner",
    "run_landing_sql_checks": "expectations.gx_runner",
    "run_landing_suite": "expectations.gx_runner",
    "ContractCheckResult": "expectations.outcomes",
    "ContractOutcome": "expectations.outcomes",
    "ExpectationResult": "expectations.outcomes",
    "SuiteOutcome": "expectations.outcomes",
    "MARTS": "expectations.soda_runner",
    "contract_path": "expectations.soda_runner",
    "verify_mart_contract": "expectations.soda_runner",
}

__all__ = [
    "LANDING_TABLES",
    "MARTS",
    "ContractCheckResult",
    "ContractOutcome",
    "ExpectationResult",
    "LandingChecks",
    "SuiteOutcome",
    "build_suite",
    "contract_path",
    "load_suite_spec",
    "run_landing_checks",
    "run_landing_sql_checks",
    "run_landing_suite",
    "verify_mart_contract",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'expectations' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
