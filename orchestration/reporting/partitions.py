"""Quarters as Dagster partitions: the partition key is the quarter's first day (2023-10-01)."""

from __future__ import annotations

from datetime import date

import dagster as dg

from reporting.marts import normalise_quarter

# Quarter windows from the programmes' first year; a quarter becomes a partition once it ends.
quarterly_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 */3 *",
    fmt="%Y-%m-%d",
    start="2021-01-01",
    end_offset=0,
    timezone="Asia/Shanghai",
)


def quarter_of_partition(partition_key: str) -> str:
    """'2023-10-01' → '2023Q4'."""
    first_day = date.fromisoformat(partition_key)
    return f"{first_day.year}Q{(first_day.month - 1) // 3 + 1}"


def partition_of_quarter(quarter: str) -> str:
    """'2023Q4' → '2023-10-01'."""
    quarter = normalise_quarter(quarter)
    year, number = int(quarter[:4]), int(quarter[-1])
    return date(year, 3 * number - 2, 1).isoformat()
