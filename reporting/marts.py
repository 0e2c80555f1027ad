"""Read the marts the quarterly report shows. Selections only: every figure is a mart column."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from ingestion import store

ASSESSMENT_MART = "mart_quarterly_assessment"
# Every table of schema `marts` the report reads (the Dagster asset depends on these).
REPORT_MARTS = (
    ASSESSMENT_MART,
    "mart_county_income_targets",
    "mart_measure_completeness",
    "mart_omissions",
    "mart_elimination_conformity",
    "mart_sector_alerts",
    "fct_household_annual_income",
    "dim_region",
    "dim_measure_type",
    "dim_monitoring_category",
    "dim_income_source",
)
QUARTER_PATTERN = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")

Row = dict[str, Any]


class ReportInputError(ValueError):
    """The warehouse or the quarter asked for cannot make a report; the message says why."""


@dataclass(frozen=True)
class Period:
    label: str
    period_start: date
    period_end: date
    survey_year: int


@dataclass
class ReportData:
    """What the report shows for one quarter, as rows of the marts (column name → value)."""

    period: Period
    counties: list[Row]
    cities: list[Row]
    provinces: list[Row]
    measure_types: list[Row]
    categories: list[Row]
    income_sources: list[Row]
    available_marts: set[str] = field(default_factory=set)

    @property
    def supervised_counties(self) -> list[Row]:
        return [row for row in self.counties if row["under_supervision"]]


def normalise_quarter(text: str) -> str:
    """'2023Q4', '2023q4' or '2023 Q4' → '2023Q4'; anything else is an error."""
    match = QUARTER_PATTERN.match(text.strip())
    if not match:
        raise ReportInputError(f"quarter {text!r} is not of the form 2023Q4 / 季度应写作 2023Q4")
    return f"{match.group(1)}Q{match.group(2)}"


@contextmanager
def open_warehouse(warehouse_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse, read-only, with the marts the report needs checked."""
    if not warehouse_db.exists():
        raise ReportInputError(f"warehouse {warehouse_db} does not exist / 数据仓库文件不存在")
    with store.connect(warehouse_db, read_only=True) as con:
        if ASSESSMENT_MART not in available_marts(con):
            raise ReportInputError(
                f"{warehouse_db} has no marts.{ASSESSMENT_MART}: build the warehouse with "
                f"`fangpin run` first / 数据仓库中没有 marts.{ASSESSMENT_MART}"
            )
        yield con


def available_marts(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()
    return {name for (name,) in rows}


def select_rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None
) -> list[Row]:
    cursor = con.execute(sql, params or {})
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def quarters(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The quarters of the assessment mart, oldest first."""
    rows = con.execute(
        f"select distinct period_label, period_end from marts.{ASSESSMENT_MART} order by period_end"
    ).fetchall()
    return [label for label, _ in rows]


def latest_quarter(warehouse_db: Path) -> str:
    """The latest quarter of the assessment mart, e.g. '2024Q1'."""
    with open_warehouse(warehouse_db) as con:
        found = quarters(con)
    if not found:
        raise ReportInputError(f"marts.{ASSESSMENT_MART} in {warehouse_db} is empty / 评估表为空")
    return found[-1]


def read_period(con: duckdb.DuckDBPyConnection, quarter: str) -> Period:
    rows = select_rows(
        con,
        f"""
        select distinct period_label, period_start, period_end, survey_year
        from marts.{ASSESSMENT_MART}
        where period_label = $quarter
        """,
        {"quarter": quarter},
    )
    if not rows:
        found = quarters(con)
        span = f"{found[0]}–{found[-1]}" if found else "none"
        raise ReportInputError(
            f"quarter {quarter} is not in marts.{ASSESSMENT_MART} (quarters in the warehouse: "
            f"{span}) / 数据仓库中没有 {quarter} 季度"
        )
    row = rows[0]
    return Period(row["period_label"], row["period_start"], row["period_end"], row["survey_year"])


def read_report_data(con: duckdb.DuckDBPyConnection, quarter: str) -> ReportData:
    period = read_period(con, quarter)

    def assessment(level: str, order: str) -> list[Row]:
        return select_rows(
            con,
            f"""
            select *
            from marts.{ASSESSMENT_MART}
            where period_end = $period_end and region_level = $level
            order by {order}
            """,
            {"period_end": period.period_end, "level": level},
        )

    return ReportData(
        period=period,
        counties=assessment("county", "growth_rank nulls last, region_code"),
        cities=assessment("city", "region_code"),
        provinces=assessment("province", "region_code"),
        measure_types=select_rows(
            con,
            "select measure_type_code, measure_type, name_en from marts.dim_measure_type "
            "order by sort_order",
        ),
        categories=select_rows(
            con,
            "select category_code, category, name_en from marts.dim_monitoring_category "
            "order by sort_order",
        ),
        income_sources=select_rows(
            con,
            "select income_source, name_zh, name_en from marts.dim_income_source "
            "order by sort_order",
        ),
        available_marts=available_marts(con),
    )
