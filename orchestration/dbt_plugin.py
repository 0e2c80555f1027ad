"""dbt-duckdb plugin that hands the pseudonymisation salt to DuckDB as a session variable.

The salt never appears in SQL text: models call `getvariable('fangpin_salt')`, so neither the
compiled SQL in dbt's target directory nor its logs hold it. Every connection and cursor dbt
opens gets the variable from FANGPIN_SALT.
"""

from __future__ import annotations

import os
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

SALT_VARIABLE = "fangpin_salt"


def _set_salt(connection: Any) -> None:
    salt = os.environ.get("FANGPIN_SALT", "")
    if not salt.strip():
        raise RuntimeError("FANGPIN_SALT is empty: the warehouse cannot pseudonymise ID numbers")
    connection.execute(f"set variable {SALT_VARIABLE} = ?", [salt])


class Plugin(BasePlugin):
    def configure_connection(self, conn: Any) -> None:
        _set_salt(conn)

    def configure_cursor(self, cursor: Any) -> None:
        _set_salt(cursor)
