"""Focus lists of the quarter (SPEC §7.3) as one workbook: a sheet per list, rows by county.

Each list is a selection from one mart. A list whose mart is not in the warehouse gets a sheet
that says so, and the overview sheet counts it as unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from reporting.catalogue import Labels
from reporting.marts import Period
from reporting.xlsx import Styled, Workbook, column_letter

# Names shown beside codes: the village's names, and the county's for households without one.
_NAMES = """
    left join marts.dim_region as villages
        on villages.village_code = listed.village_code
    left join (select distinct county_code, county_name from marts.dim_region) as counties
        on counties.county_code = listed.county_code
"""


@dataclass(frozen=True)
class FocusList:
    """One focus list: its catalogue key, the mart it selects from and the selection."""

    key: str
    mart: str
    sql: str
    # the mart_quarterly_assessment column that counts the same households
    count_column: str


FOCUS_LISTS = (
    FocusList(
        key="income_decrease",
        mart="fct_household_annual_income",
        count_column="income_decrease_households",
        sql=f"""
            select listed.county_code, counties.county_name, villages.township_name,
                   villages.village_name, listed.household_id, listed.household_size,
                   listed.per_capita_net_income, listed.prev_per_capita_net_income,
                   listed.is_alleviated, listed.is_monitored_in_year
            from marts.fct_household_annual_income as listed {_NAMES}
            where listed.year = $survey_year
                and listed.in_target_population
                and listed.is_income_decrease
            order by listed.county_code, listed.household_id
        """,
    ),
    FocusList(
        key="low_income",
        mart="fct_household_annual_income",
        count_column="low_income_focus_households",
        sql=f"""
            select listed.county_code, counties.county_name, villages.township_name,
                   villages.village_name, listed.household_id, listed.household_size,
                   listed.per_capita_net_income, listed.monitoring_line,
                   listed.is_income_decrease, listed.is_monitored_in_year
            from marts.fct_household_annual_income as listed {_NAMES}
            where listed.year = $survey_year
                and listed.is_low_income_focus
            order by listed.county_code, listed.household_id
        """,
    ),
    FocusList(
        key="omissions",
        mart="mart_omissions",
        count_column="omissions",
        sql=f"""
            select listed.county_code, counties.county_name, villages.township_name,
                   villages.village_name, listed.household_id, listed.household_size,
                   listed.per_capita_net_income, listed.monitoring_line
            from marts.mart_omissions as listed {_NAMES}
            where listed.period_end = $period_end
            order by listed.county_code, listed.household_id
        """,
    ),
    FocusList(
        key="no_targeted_measure",
        mart="mart_measure_completeness",
        count_column="households_without_targeted_measure",
        sql=f"""
            select listed.county_code, counties.county_name, villages.township_name,
                   villages.village_name, listed.household_id, listed.category,
                   listed.risk_types, listed.identified_date, listed.running_measures,
                   listed.running_measure_types, listed.has_running_measure
            from marts.mart_measure_completeness as listed {_NAMES}
            where listed.period_end = $period_end
                and not listed.has_targeted_measure
            order by listed.county_code, listed.household_id
        """,
    ),
    FocusList(
        key="yidou",
        mart="mart_measure_completeness",
        count_column="yidou_households",
        sql=f"""
            select listed.county_code, counties.county_name, villages.township_name,
                   villages.village_name, listed.household_id, listed.category,
                   listed.risk_types, listed.identified_date, listed.labor_survey_year,
                   listed.running_measures, listed.running_measure_types
            from marts.mart_measure_completeness as listed {_NAMES}
            where listed.period_end = $period_end
                and listed.is_yidou
            order by listed.county_code, listed.household_id
        """,
    ),
    FocusList(
        key="non_conforming_eliminations",
        mart="mart_elimination_conformity",
        count_column="non_conforming_eliminations",
        sql=f"""
            select listed.county_code, counties.county_name, villages.township_name,
                   villages.village_name, listed.household_id, listed.eliminated_date,
                   listed.duration_days, listed.survey_year, listed.per_capita_net_income,
                   listed.monitoring_line, listed.income_ok, listed.guarantees_ok,
                   listed.no_labor_on_social_assistance
            from marts.mart_elimination_conformity as listed {_NAMES}
            where listed.eliminated_date between $period_start and $period_end
                and not listed.is_conforming
            order by listed.county_code, listed.household_id, listed.eliminated_date
        """,
    ),
    FocusList(
        key="overdue_alerts",
        mart="mart_sector_alerts",
        count_column="overdue_alerts",
        sql="""
            select listed.county_code, counties.county_name, listed.household_id,
                   listed.alert_id, listed.department, listed.risk_type, listed.alert_date,
                   listed.followed_up
            from marts.mart_sector_alerts as listed
            left join (select distinct county_code, county_name from marts.dim_region) as counties
                on counties.county_code = listed.county_code
            where listed.overdue
                and listed.alert_date <= $period_end
            order by listed.county_code, listed.household_id, listed.alert_date
        """,
    ),
)


@dataclass
class FocusListRows:
    focus_list: FocusList
    available: bool
    columns: list[str]
    rows: list[tuple[Any, ...]]


def read_focus_lists(
    con: duckdb.DuckDBPyConnection, period: Period, available_marts: set[str]
) -> list[FocusListRows]:
    """Every focus list of the quarter; lists whose mart is missing come back unavailable."""
    params = {
        "period_start": period.period_start,
        "period_end": period.period_end,
        "survey_year": period.survey_year,
    }
    found = []
    for focus_list in FOCUS_LISTS:
        if focus_list.mart not in available_marts:
            found.append(FocusListRows(focus_list, False, [], []))
            continue
        used = {name: value for name, value in params.items() if f"${name}" in focus_list.sql}
        cursor = con.execute(focus_list.sql, used)
        columns = [column[0] for column in cursor.description]
        found.append(FocusListRows(focus_list, True, columns, cursor.fetchall()))
    return found


def _cell_value(value: Any, labels: Labels) -> Any:
    """A value as the lists show it: yes/no in words, amounts with two decimals (dates get
    their format from the writer)."""
    if isinstance(value, bool):
        return labels("common.yes") if value else labels("common.no")
    if isinstance(value, Decimal):
        return Styled(value, "decimal")
    return value


def _header_cells(texts: list[str], style: str = "header") -> list[Styled]:
    """A row of column headers: bold on the header fill."""
    return [Styled(text, style) for text in texts]


def _column_width(column: str, labels: Labels) -> float:
    width = max(len(labels(f"focus_columns.{column}")) * 2, 12)
    if column in ("household_id", "alert_id", "risk_types", "running_measure_types"):
        width = max(width, 22)
    return width


def _write_list(workbook: Workbook, listed: FocusListRows, labels: Labels, period: Period) -> None:
    """One list's sheet, streamed row by row (a province's lists hold millions of cells)."""
    key = listed.focus_list.key
    name = labels(f"focus_lists.{key}.sheet")
    fields = {"quarter": period.label, "year": period.survey_year}
    title = Styled(labels(f"focus_lists.{key}.title", **fields), "title")
    if not listed.available:
        with workbook.sheet(name, widths={1: 90}) as sheet:
            sheet.append([title])
            sheet.append([])
            sheet.append([labels("focus_lists.unavailable", mart=listed.focus_list.mart)])
        return
    header_row = 4
    columns = listed.columns
    last = column_letter(len(columns))
    with workbook.sheet(
        name,
        widths={i: _column_width(c, labels) for i, c in enumerate(columns, start=1)},
        freeze=(2, header_row),
        autofilter=f"A{header_row}:{last}{header_row + len(listed.rows)}",
    ) as sheet:
        sheet.append([title])
        sheet.append([labels(f"focus_lists.{key}.rule", **fields)])
        sheet.append([])
        sheet.append(
            _header_cells([labels(f"focus_columns.{c}") for c in columns], style="header_wrap")
        )
        for row in listed.rows:
            sheet.append([_cell_value(value, labels) for value in row])
        if not listed.rows:
            sheet.append([labels("focus_lists.empty")])


def write_focus_lists(
    lists: list[FocusListRows], labels: Labels, period: Period, path: Path
) -> None:
    """The workbook: an overview sheet, then one sheet per focus list."""
    with Workbook(path) as workbook:
        with workbook.sheet(
            labels("focus_lists.overview.sheet"), widths={1: 28, 2: 14, 3: 40}
        ) as overview:
            overview.append(
                [Styled(labels("focus_lists.overview.title", quarter=period.label), "title")]
            )
            overview.append(
                [
                    labels(
                        "focus_lists.overview.period",
                        start=period.period_start.isoformat(),
                        end=period.period_end.isoformat(),
                        year=period.survey_year,
                    )
                ]
            )
            overview.append([])
            headers = [labels(f"focus_lists.overview.{n}") for n in ("list", "rows", "source")]
            overview.append(_header_cells(headers))
            for listed in lists:
                key = listed.focus_list.key
                overview.append(
                    [
                        labels(f"focus_lists.{key}.sheet"),
                        len(listed.rows)
                        if listed.available
                        else labels("focus_lists.not_available"),
                        f"marts.{listed.focus_list.mart}",
                    ]
                )
        for listed in lists:
            _write_list(workbook, listed, labels, period)
