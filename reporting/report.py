"""The quarterly assessment report (季度评估报告, SPEC §7.3): an HTML page and an xlsx workbook.

`render_report` reads the marts of one quarter, formats their figures and writes
`assessment_<quarter>.html` (self-contained: inline CSS, charts as inline SVG) and
`focus_lists_<quarter>.xlsx`. Plain Python: the Dagster asset and the CLI both call it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from reporting import formatting
from reporting.catalogue import Labels, load_labels, load_layout
from reporting.charts import draw_charts
from reporting.focus_lists import FOCUS_LISTS, read_focus_lists, write_focus_lists
from reporting.fonts import find_cjk_font
from reporting.marts import (
    Period,
    ReportData,
    Row,
    latest_quarter,
    normalise_quarter,
    open_warehouse,
    read_report_data,
)
from reporting.status import county_status, figure_status

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
DEFAULT_LANG = "zh"

__all__ = ["ReportFiles", "latest_quarter", "render_report", "report_paths"]


@dataclass(frozen=True)
class ReportFiles:
    quarter: str
    html: Path
    xlsx: Path


def report_paths(out_dir: Path, quarter: str, lang: str = DEFAULT_LANG) -> ReportFiles:
    """Where the report of `quarter` goes: other languages than Chinese get a suffix."""
    suffix = "" if lang == DEFAULT_LANG else f"_{lang}"
    return ReportFiles(
        quarter=quarter,
        html=out_dir / f"assessment_{quarter}{suffix}.html",
        xlsx=out_dir / f"focus_lists_{quarter}{suffix}.xlsx",
    )


def _figure_cell(row: Row, column: str, kind: str, labels: Labels) -> dict[str, Any]:
    value = row.get(column)
    if kind == "flag":
        text = formatting.MISSING if value is None else labels(f"flag.{str(bool(value)).lower()}")
    elif kind == "points":
        text = formatting.change(value, "percent", labels("units.points"))
    else:
        text = formatting.figure(value, kind)
    return {"column": column, "text": text, "region": row["region_code"]}


def _change_cell(row: Row, column: str, kind: str, labels: Labels) -> dict[str, Any]:
    """The change from the previous quarter, judged good or bad by layout.yaml `better`."""
    value = row.get(f"{column}_change")
    moved = formatting.direction(value)
    better = load_layout()["better"]
    if moved in ("up", "down") and column in better["higher"] + better["lower"]:
        good = (moved == "up") == (column in better["higher"])
        judged = "good" if good else "bad"
    else:
        judged = "neutral"
    return {
        "text": formatting.change(value, kind, labels("units.points")),
        "direction": judged,
    }


def _column_labels(data: ReportData, labels: Labels) -> dict[str, str]:
    """Labels of the mart's columns; the seed-driven ones are named by their dimension."""
    names = {
        key.removeprefix("columns."): text
        for key, text in labels.texts.items()
        if key.startswith("columns.")
    }
    zh = labels.lang == "zh"
    for category in data.categories:
        name = category["category"] if zh else category["name_en"]
        names[f"monitored_{category['category_code']}"] = labels("columns_of.monitored", name=name)
    for measure_type in data.measure_types:
        name = measure_type["measure_type"] if zh else measure_type["name_en"]
        names[f"coverage_{measure_type['measure_type_code']}"] = name
    return names


def _headline(area: Row, layout: dict[str, Any], labels: Labels, names: dict[str, str]) -> list:
    return [
        {
            "label": names[item["column"]],
            "value": _figure_cell(area, item["column"], item["format"], labels),
            "change": _change_cell(area, item["column"], item["format"], labels),
        }
        for item in layout["headline"]
    ]


def _rules(areas: list[Row], layout: dict[str, Any], labels: Labels) -> list[dict[str, Any]]:
    rules = []
    for rule in layout["rules"]:
        outcomes = []
        for area in areas:
            found = area.get(rule["column"])
            if found is None:
                outcome = "not_evaluated"
            elif found == 0:
                outcome = "passed"
            else:
                outcome = "warning" if rule["level"] == "warn" else "failed"
            outcomes.append(
                {
                    "outcome": outcome,
                    "text": labels(f"outcome.{outcome}"),
                    "count": {
                        "column": rule["column"],
                        "region": area["region_code"],
                        "text": formatting.count(found),
                    },
                    "reason": labels(f"rules.{rule['id']}.unknown")
                    if outcome == "not_evaluated"
                    else "",
                }
            )
        rules.append(
            {
                "id": rule["id"],
                "text": labels(f"rules.{rule['id']}.text"),
                "level": labels(f"level.{rule['level']}"),
                "outcomes": outcomes,
            }
        )
    return rules


def _ranking(data: ReportData, layout: dict[str, Any], labels: Labels) -> list[dict[str, Any]]:
    thresholds = layout["status"]
    ranking = []
    for row in data.counties:
        cells = []
        for item in layout["ranking"]:
            cell = _figure_cell(row, item["column"], item["format"], labels)
            rule = thresholds.get(item["column"])
            cell["status"] = figure_status(row.get(item["column"]), rule) if rule else ""
            cells.append(cell)
        status = county_status(row, thresholds)
        ranking.append(
            {
                "rank": row["growth_rank"] if row["growth_rank"] is not None else "",
                "code": row["region_code"],
                "name": row["region_name"] or row["region_code"],
                "key_level": labels(f"key_county_level.{row['key_county_level'] or 'none'}"),
                "is_key": bool(row["is_key_county"]),
                "cells": cells,
                "status": status,
                "status_text": labels(f"status.{status}"),
            }
        )
    return ranking


def _region_table(
    rows: list[Row], columns: list[tuple[str, str]], labels: Labels
) -> list[dict[str, Any]]:
    return [
        {
            "name": row["region_name"] or row["region_code"],
            "code": row["region_code"],
            "cells": [
                {
                    **_figure_cell(row, column, kind, labels),
                    "change": _change_cell(row, column, kind, labels),
                }
                for column, kind in columns
            ],
        }
        for row in rows
    ]


def _context(
    data: ReportData, charts: dict[str, dict[str, str]], labels: Labels, warehouse_db: Path
) -> dict[str, Any]:
    layout = load_layout()
    names = _column_labels(data, labels)
    areas = data.provinces
    category_columns = [(f"monitored_{c['category_code']}", "count") for c in data.categories]
    coverage_columns = [
        ("measure_coverage", "percent"),
        ("targeted_measure_coverage", "percent"),
        *((f"coverage_{t['measure_type_code']}", "percent") for t in data.measure_types),
    ]
    share_columns = [(column, "percent") for column in layout["income_shares"].values()]
    city_columns = [
        (item["column"], item["format"])
        for item in layout["ranking"]
        if item["column"] != "growth_target"
    ]
    supervision_columns = [
        ("per_capita_net_income", "yuan"),
        ("growth_balanced", "percent"),
        ("growth_target", "percent"),
        ("growth_vs_target", "points"),
    ]
    period: Period = data.period
    return {
        "t": labels,
        "lang": labels.lang,
        "names": names,
        "period": period,
        "area_name": "、".join(area["region_name"] or area["region_code"] for area in areas),
        "areas": [
            {
                "name": area["region_name"] or area["region_code"],
                "code": area["region_code"],
                "headline": _headline(area, layout, labels, names),
            }
            for area in areas
        ],
        "area_columns": [area["region_name"] or area["region_code"] for area in areas],
        "rules": _rules(areas, layout, labels),
        "categories": {
            "columns": category_columns,
            "rows": _region_table(areas, category_columns, labels),
        },
        "coverage": {
            "columns": coverage_columns,
            "rows": _region_table(areas, coverage_columns, labels),
        },
        "composition": {
            "columns": share_columns,
            "rows": _region_table([*areas, *data.cities, *data.counties], share_columns, labels),
        },
        "cities": {
            "columns": city_columns,
            "rows": _region_table(data.cities, city_columns, labels),
        },
        "ranking_columns": [item["column"] for item in layout["ranking"]],
        "ranking": _ranking(data, layout, labels),
        "status_rules": layout["status"],
        "supervision": {
            "columns": supervision_columns,
            "rows": _region_table(data.supervised_counties, supervision_columns, labels),
        },
        "charts": charts,
        "missing_marts": sorted(
            {focus_list.mart for focus_list in FOCUS_LISTS} - data.available_marts
        ),
        "warehouse": warehouse_db.name,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def render_html(
    data: ReportData, charts: dict[str, dict[str, str]], labels: Labels, warehouse_db: Path
) -> str:
    """The report page of one quarter as a self-contained HTML document."""
    environment = _environment()
    stylesheet = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    template = environment.get_template("assessment.html.j2")
    return template.render(stylesheet=stylesheet, **_context(data, charts, labels, warehouse_db))


def render_report(
    warehouse_db: Path, quarter: str, out_dir: Path, lang: str = DEFAULT_LANG
) -> ReportFiles:
    """Write the assessment page and the focus-list workbook of `quarter` (e.g. '2023Q4')."""
    warehouse_db, out_dir = Path(warehouse_db), Path(out_dir)
    quarter = normalise_quarter(quarter)
    labels = load_labels(lang)
    font = find_cjk_font()
    with open_warehouse(warehouse_db) as con:
        data = read_report_data(con, quarter)
        lists = read_focus_lists(con, data.period, data.available_marts)
    charts = draw_charts(data, labels, font, load_layout()["income_shares"])
    html = render_html(data, charts, labels, warehouse_db)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = report_paths(out_dir, quarter, lang)
    _write_text(files.html, html)
    write_focus_lists(lists, labels, data.period, files.xlsx)
    return files
