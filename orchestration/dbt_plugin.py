"""dbt-duckdb plugin: the session variables every connection and cursor dbt opens gets.

- `fangpin_salt`, the pseudonymisation salt, from FANGPIN_SALT. It never appears in SQL text:
  models call `getvariable('fangpin_salt')`, so neither the compiled SQL in dbt's target
  directory nor its logs hold it.
- `fangpin_build_state`, a SHA-256 of everything but the source rows that decides what a model
  builds: the files of the dbt project (models, macros, seeds, dbt_project.yml), the versions
  of dbt, dbt-duckdb and DuckDB, and the salt. The `kept_table` and `test` materializations
  (dbt_project/macros/kept_table.sql) keep a table, or a data test's outcome, whose build
  state and inputs are those of its last build or run.
"""

from __future__ import annotations

import functools
import hashlib
import os
from importlib import metadata
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from orchestration.environment import DBT_PROJECT_DIR, ENV_SALT

SALT_VARIABLE = "fangpin_salt"
BUILD_STATE_VARIABLE = "fangpin_build_state"
# what a model's table is built from, besides its source rows
BUILD_INPUTS = ("models", "macros", "seeds", "dbt_project.yml")
BUILD_LIBRARIES = ("dbt-core", "dbt-duckdb", "duckdb")


def _salt() -> str:
    salt = os.environ.get(ENV_SALT, "")
    if not salt.strip():
        raise RuntimeError("FANGPIN_SALT is empty: the warehouse cannot pseudonymise ID numbers")
    return salt


def build_state(salt: str, project_dir: Path = DBT_PROJECT_DIR) -> str:
    """SHA-256 of the dbt project's build inputs, the libraries' versions and the salt."""
    digest = hashlib.sha256()
    for name in BUILD_INPUTS:
        path = project_dir / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(f"{file.relative_to(project_dir).as_posix()}\t".encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    for library in BUILD_LIBRARIES:
        digest.update(f"{library} {metadata.version(library)}\n".encode())
    digest.update(hashlib.sha256(f"fangpin-salt\t{salt}".encode()).digest())
    return digest.hexdigest()


@functools.cache
def _build_state(salt: str) -> str:
    # once per dbt process: the files do not change while dbt builds
    return build_state(salt)


def _set_variables(connection: Any) -> None:
    salt = _salt()
    connection.execute(f"set variable {SALT_VARIABLE} = ?", [salt])
    connection.execute(f"set variable {BUILD_STATE_VARIABLE} = ?", [_build_state(salt)])


class Plugin(BasePlugin):
    def configure_connection(self, conn: Any) -> None:
        _set_variables(conn)

    def configure_cursor(self, cursor: Any) -> None:
        _set_variables(cursor)
