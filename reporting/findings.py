"""The headline findings of a run, read from the marts, for the run summary a data engineer sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ingestion import store

# Each finding: a label and one query over the marts returning (label suffix, value) rows.
FINDINGS: list[tuple[str, str]] = [
    (
        "counties under supervision (T2, latest year)",
        """
        select cast(year as varchar), count(*) filter (where under_supervision)
        from marts.mart_county_income_targets
        where year = (select max(year) from marts.mart_county_income_targets)
        group by year
        """,
    ),
    (
        "monitored households at the latest period end",
        """
        select strftime(period_end, '%Y-%m-%d'), count(*)
        from marts.mart_measure_completeness
        where period_end = (select max(period_end) from marts.mart_measure_completeness)
        group by period_end
        """,
    ),
    (
        "  without a running measure (C1) / without a targeted one (C2) / 一兜了之 (C3)",
        """
        select '', cast(count(*) filter (where not has_running_measure) as varchar) || ' / '
               || cast(count(*) filter (where not has_targeted_measure) as varchar) || ' / '
               || cast(count(*) filter (where is_yidou) as varchar)
        from marts.mart_measure_completeness
        where period_end = (select max(period_end) from marts.mart_measure_completeness)
        """,
    ),
    (
        "omissions at the latest period end (T4)",
        """
        select '', count(*) from marts.mart_omissions
        where period_end = (select max(period_end) from marts.mart_omissions)
        """,
    ),
    (
        "episodes identified within the limit (M1)",
        """
        select '', cast(sum(identified_within_limit) as varchar) || ' of '
               || cast(sum(episodes_identified) as varchar)
        from marts.mart_identification_timeliness
        """,
    ),
    (
        "eliminations not conforming (M2)",
        """
        select '', cast(count(*) filter (where not is_conforming) as varchar) || ' of '
               || cast(count(*) as varchar)
        from marts.mart_elimination_conformity
        """,
    ),
    (
        "sector alerts: raised / already monitored / followed up / overdue (C4)",
        """
        select department,
               cast(count(*) filter (where is_raised) as varchar) || ' / '
               || cast(count(*) filter (where already_monitored) as varchar) || ' / '
               || cast(count(*) filter (where followed_up) as varchar) || ' / '
               || cast(count(*) filter (where overdue) as varchar)
        from marts.mart_sector_alerts
        group by department
        order by department
        """,
    ),
]


def run_findings(warehouse_db: Path) -> list[dict[str, Any]]:
    """Headline findings of the warehouse; a mart that is missing is reported as such."""
    if not warehouse_db.exists():
        return []
    findings = []
    with store.connect(warehouse_db, read_only=True) as con:
        for label, sql in FINDINGS:
            try:
                rows = con.execute(sql).fetchall()
            except duckdb.CatalogException:
                rows = [("", "mart not built")]
            for key, value in rows or [("", 0)]:
                findings.append({"finding": label, "key": key or "", "value": value})
    return findings
