"""Process environment every fangpin entry point shares: telemetry off, Dagster home, paths.

Households' ID numbers and health data pass through this machine, so no tool may phone home.
Importing `orchestration` (the CLI, `dagster dev`, the tests) calls `configure_environment()`.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
DEFAULT_DAGSTER_HOME = PROJECT_DIR / "dagster_home"

TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "SODA_CORE_TELEMETRY_ENABLED": "false",
}

# Configuration read by the Dagster resources and by dbt's profiles.yml (one source of truth).
ENV_LANDING = "FANGPIN_LANDING"
ENV_OUT = "FANGPIN_OUT"
ENV_SALT = "FANGPIN_SALT"
ENV_WAREHOUSE = "FANGPIN_WAREHOUSE"
ENV_RESTRICTED = "FANGPIN_RESTRICTED"

DEFAULT_LANDING = PROJECT_DIR / "data" / "landing"
DEFAULT_OUT = PROJECT_DIR / "data" / "out"

# The demo's salt says what it is; `fangpin run` refuses it unless asked for a demo run.
DEMO_SALT = "fangpin-demo-salt-NOT-FOR-PRODUCTION"


def configure_environment() -> None:
    """Turn telemetry off and point Dagster at the project's instance unless told otherwise."""
    for key, value in TELEMETRY_OFF.items():
        os.environ[key] = value
    os.environ.setdefault("DAGSTER_HOME", str(DEFAULT_DAGSTER_HOME))
    set_paths(
        Path(os.environ.get(ENV_LANDING, DEFAULT_LANDING)),
        Path(os.environ.get(ENV_OUT, DEFAULT_OUT)),
    )


def set_paths(landing: Path, out: Path) -> None:
    """Point this process and the dbt subprocesses it starts at a landing area and an out dir."""
    out = out.resolve()
    os.environ[ENV_LANDING] = str(landing.resolve())
    os.environ[ENV_OUT] = str(out)
    os.environ[ENV_WAREHOUSE] = str(out / "warehouse.duckdb")
    os.environ[ENV_RESTRICTED] = str(out / "restricted.duckdb")
