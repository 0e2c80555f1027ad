"""Nothing lost: every landing row read is either loaded or quarantined (SPEC §7.4).

Checked against the stores themselves, not only the ledger's own arithmetic: per file, the
ledger's rows_loaded must equal the rows of that file in the raw table, and rows_quarantined the
rows of that file in audit.quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingestion import store


@dataclass
class AccountingOutcome:
    table: str
    files: int
    passed: bool
    unbalanced: list[dict[str, Any]] = field(default_factory=list)

    def to_metadata(self) -> dict[str, Any]:
        lines = [
            "| file | sheet | read | ledger loaded | raw rows | ledger quarantined "
            "| quarantine rows |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for row in self.unbalanced[:50]:
            lines.append(
                f"| {row['file']} | {row['sheet'] or ''} | {row['rows_read']} | "
                f"{row['rows_loaded']} | {row['raw_rows']} | {row['rows_quarantined']} | "
                f"{row['quarantine_rows']} |"
            )
        return {
            "files": self.files,
            "failed_rows_count": len(self.unbalanced),
            "unbalanced_files": "\n".join(lines) if self.unbalanced else "none",
        }


ACCOUNTING_SQL = """
with ledger as (
    select file, sheet, rows_read, rows_loaded, rows_quarantined
    from audit.ingest_ledger
    where source = $source
),
raw_rows as (
    select source_file as file, source_sheet as sheet, count(*) as raw_rows
    from raw.{table}
    group by all
),
quarantine_rows as (
    select file, sheet, count(*) as quarantine_rows
    from audit.quarantine
    where source = $source
    group by all
)
select ledger.file,
       ledger.sheet,
       ledger.rows_read,
       ledger.rows_loaded,
       coalesce(raw_rows.raw_rows, 0) as raw_rows,
       ledger.rows_quarantined,
       coalesce(quarantine_rows.quarantine_rows, 0) as quarantine_rows
from ledger
left join raw_rows
  on raw_rows.file = ledger.file and raw_rows.sheet is not distinct from ledger.sheet
left join quarantine_rows
  on quarantine_rows.file = ledger.file
 and quarantine_rows.sheet is not distinct from ledger.sheet
order by ledger.file, ledger.sheet
"""


def check_accounting(table: str, restricted_db: Path) -> AccountingOutcome:
    """Per landing file of `table`: read = loaded + quarantined, and both match the stores."""
    with store.connect(restricted_db, read_only=True) as con:
        rows = con.execute(ACCOUNTING_SQL.format(table=table), {"source": table}).fetchall()
        orphans = con.execute(
            f"select count(*) from raw.{table} where source_file not in "
            "(select file from audit.ingest_ledger where source = $source)",
            {"source": table},
        ).fetchone()[0]
    names = ["file", "sheet", "rows_read", "rows_loaded", "raw_rows", "rows_quarantined",
             "quarantine_rows"]  # fmt: skip
    records = [dict(zip(names, row, strict=True)) for row in rows]
    unbalanced = [
        r
        for r in records
        if r["rows_read"] != r["rows_loaded"] + r["rows_quarantined"]
        or r["rows_loaded"] != r["raw_rows"]
        or r["rows_quarantined"] != r["quarantine_rows"]
    ]
    if orphans:
        unbalanced.append(
            {"file": "(rows of files not in the ledger)", "sheet": None, "rows_read": 0,
             "rows_loaded": 0, "raw_rows": orphans, "rows_quarantined": 0, "quarantine_rows": 0}
        )  # fmt: skip
    return AccountingOutcome(
        table=table, files=len(records), passed=not unbalanced, unbalanced=unbalanced
    )
