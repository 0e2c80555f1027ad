"""Resources: where the landing area and the two DuckDB stores are, and the dbt CLI."""

from __future__ import annotations

import sys
from functools import cached_property
from importlib import metadata
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.environment import (
    DBT_PROJECT_DIR,
    ENV_LANDING,
    ENV_OUT,
)


class FangpinPaths(dg.ConfigurableResource):
    """The landing directory (SPEC §3 layout) and the output directory of a run.

    The output directory receives `restricted.duckdb` (raw rows with identifiers, quarantine,
    ledger), `warehouse.duckdb` (the analyst warehouse) and the run summary.
    """

    landing_dir: str
    out_dir: str

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir)

    @property
    def out(self) -> Path:
        return Path(self.out_dir)

    @property
    def restricted_db(self) -> Path:
        return self.out / "restricted.duckdb"

    @property
    def warehouse_db(self) -> Path:
        return self.out / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        """Where analysts open the last good warehouse (replaced atomically, read-only)."""
        return self.out / "published"

    @property
    def reports_dir(self) -> Path:
        return self.out / "reports"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's artifacts and log of the last build of these stores (`run_results.json`).

        One directory per output directory, kept between runs: dbt reuses its parse of the
        project (`partial_parse.msgpack`) when the stores' paths are the same as last time.
        """
        return self.out / "dbt-target"


class LocalDbtCliResource(DbtCliResource):
    """dbt-core of this environment.

    dagster-dbt asks `dbt --version` for the version, and dbt-core's `--version` looks up the
    latest release on PyPI; no lookup may leave the machine, so the version comes from the
    installed package instead.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))


def default_resources() -> dict[str, object]:
    """Resources bound in the Definitions: paths from the environment, dbt from the project."""
    return {
        "paths": FangpinPaths(
            landing_dir=dg.EnvVar(ENV_LANDING),
            out_dir=dg.EnvVar(ENV_OUT),
        ),
        "dbt": LocalDbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            # the dbt of this environment, whether or not its bin directory is on PATH
            dbt_executable=str(Path(sys.executable).parent / "dbt"),
        ),
    }
