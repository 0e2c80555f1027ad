"""The report's charts as inline SVG (text drawn as outlines, so no font is needed to view it).

Each chart plots mart columns as they are; nothing is computed here but positions.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter

from reporting import formatting
from reporting.catalogue import Labels
from reporting.fonts import CjkFont, chart_rc
from reporting.marts import ReportData

GREEN, RED, GREY, BLUE, INK = "#3a8a5c", "#c0392b", "#a0a4a8", "#2f6690", "#333333"
SOURCE_COLOURS = ("#2f6690", "#3a7ca5", "#81c3d7", "#d9a441")
KEY_COLOURS = {"national": "#8e3b46", "provincial": "#d17a22", "none": "#7d8b99"}


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.DOTALL)
    # scale with the page: keep the viewBox, drop the fixed size
    return re.sub(
        r'<svg([^>]*?) width="[^"]+" height="[^"]+"',
        r'<svg\1 width="100%" preserveAspectRatio="xMidYMid meet" class="chart"',
        svg,
        count=1,
    )


class NoData(Exception):
    """A chart without data: the page shows the message instead."""


def _tidy(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _percent_axis(ax: Axes, axis: str = "y") -> None:
    formatter = PercentFormatter(xmax=1.0)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def growth_by_county(data: ReportData, labels: Labels) -> Figure:
    """Balanced growth of each county (bars) against its target (the city's growth of Y−1)."""
    counties = [row for row in data.counties if row["growth_balanced"] is not None]
    if not counties:
        raise NoData(labels("charts.no_growth", year=data.period.survey_year))
    figure = Figure(figsize=(8, 3.8))
    ax = figure.subplots()
    positions = range(len(counties))
    growth = [float(row["growth_balanced"]) for row in counties]
    colours = [
        GREEN
        if row["meets_growth_target"]
        else RED
        if row["meets_growth_target"] is False
        else GREY
        for row in counties
    ]
    ax.bar(positions, growth, color=colours, width=0.6)
    for x, row in zip(positions, counties, strict=True):
        ax.annotate(
            formatting.percent(row["growth_balanced"]),
            (x, float(row["growth_balanced"])),
            ha="center",
            va="bottom" if row["growth_balanced"] >= 0 else "top",
            fontsize=8,
            color=INK,
        )
    targets = [(x, row["growth_target"]) for x, row in zip(positions, counties, strict=True)]
    known = [(x, float(target)) for x, target in targets if target is not None]
    if known:
        ax.hlines(
            [target for _, target in known],
            [x - 0.42 for x, _ in known],
            [x + 0.42 for x, _ in known],
            colors=INK,
            linestyles="dashed",
            linewidth=1.6,
            label=labels("charts.growth.target"),
        )
        ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.axhline(0, color=INK, linewidth=0.6)
    ax.set_xticks(list(positions), [row["region_name"] or row["region_code"] for row in counties])
    ax.tick_params(axis="x", labelsize=8, rotation=30 if len(counties) > 8 else 0)
    _percent_axis(ax)
    ax.set_ylabel(labels("charts.growth.axis", year=data.period.survey_year))
    _tidy(ax)
    return figure


def income_composition(data: ReportData, labels: Labels, shares: dict[str, str]) -> Figure:
    """Wage, net operating, property and transfer income as shares of net income."""
    rows = [
        row
        for row in [*data.provinces, *data.cities, *data.counties]
        if row["wage_share"] is not None
    ]
    if not rows:
        raise NoData(labels("charts.no_income", year=data.period.survey_year))
    figure = Figure(figsize=(8, 0.9 + 0.42 * len(rows)))
    ax = figure.subplots()
    names = {
        source["income_source"]: source["name_zh" if labels.lang == "zh" else "name_en"]
        for source in data.income_sources
    }
    positions = list(range(len(rows)))[::-1]
    left = [0.0] * len(rows)
    for (source, column), colour in zip(shares.items(), SOURCE_COLOURS, strict=False):
        values = [float(row[column]) for row in rows]
        ax.barh(positions, values, left=left, color=colour, label=names.get(source, source))
        for y, start, value in zip(positions, left, values, strict=True):
            if value >= 0.05:
                ax.text(
                    start + value / 2,
                    y,
                    formatting.percent(value, 0),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if colour != SOURCE_COLOURS[-1] else INK,
                )
        left = [start + value for start, value in zip(left, values, strict=True)]
    ax.set_yticks(positions, [row["region_name"] or row["region_code"] for row in rows])
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlim(0, max(1.0, *left))
    _percent_axis(ax, "x")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, fontsize=8, frameon=False)
    _tidy(ax)
    return figure


def measure_coverage(data: ReportData, labels: Labels) -> Figure:
    """Share of the households monitored at the period end with a running measure of each type."""
    areas = data.provinces
    types = data.measure_types
    if not areas or not types or not any(area["monitored_households"] for area in areas):
        raise NoData(labels("charts.no_monitored"))
    figure = Figure(figsize=(8, 0.8 + 0.36 * len(types)))
    ax = figure.subplots()
    height = 0.7 / len(areas)
    positions = list(range(len(types)))[::-1]
    for index, area in enumerate(areas):
        values = [float(area[f"coverage_{t['measure_type_code']}"] or 0) for t in types]
        offsets = [y + (len(areas) / 2 - index - 0.5) * height for y in positions]
        ax.barh(offsets, values, height=height, color=BLUE, label=area["region_name"])
        for y, value in zip(offsets, values, strict=True):
            ax.text(value + 0.01, y, formatting.percent(value), va="center", fontsize=7.5)
    name = "measure_type" if labels.lang == "zh" else "name_en"
    ax.set_yticks(positions, [t[name] for t in types])
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlim(0, 1.1)
    _percent_axis(ax, "x")
    if len(areas) > 1:
        ax.legend(fontsize=8, frameon=False)
    _tidy(ax)
    return figure


def monitoring_funnel(data: ReportData, labels: Labels) -> Figure:
    """Episodes found → identified → eliminated up to the period end, and in the quarter."""
    if not data.provinces or not any(area["risks_found_to_date"] for area in data.provinces):
        raise NoData(labels("charts.no_episodes"))
    figure = Figure(figsize=(8, 2.6 * len(data.provinces)))
    axes = figure.subplots(len(data.provinces), 1, squeeze=False)[:, 0]
    steps = (
        ("risks_found_to_date", "risks_found", "charts.funnel.found"),
        ("identified_to_date", "newly_identified", "charts.funnel.identified"),
        ("eliminated_to_date", "newly_eliminated", "charts.funnel.eliminated"),
    )
    for ax, area in zip(axes, data.provinces, strict=True):
        widest = max(float(area[total] or 0) for total, _, _ in steps) or 1.0
        for y, ((total, quarter, key), colour) in enumerate(
            zip(steps, ("#81c3d7", BLUE, GREEN), strict=True)
        ):
            value = float(area[total] or 0)
            ax.barh(-y, value, left=(widest - value) / 2, color=colour, height=0.72)
            ax.text(
                widest / 2,
                -y,
                labels(
                    "charts.funnel.bar",
                    step=labels(key),
                    total=formatting.count(area[total]),
                    quarter=formatting.count(area[quarter]),
                ),
                ha="center",
                va="center",
                fontsize=9,
                color="white" if value > widest * 0.45 else INK,
            )
        ax.set_xlim(0, widest)
        ax.set_axis_off()
        if len(data.provinces) > 1:
            ax.set_title(area["region_name"], fontsize=9)
    return figure


def key_counties_vs_others(data: ReportData, labels: Labels) -> Figure:
    """Growth and risk-elimination rate of each county, key-assistance counties first."""
    order = {"national": 0, "provincial": 1, "none": 2}
    counties = sorted(
        data.counties,
        key=lambda row: (order.get(row["key_county_level"] or "none", 2), row["region_code"]),
    )
    if not counties:
        raise NoData(labels("charts.no_counties"))
    figure = Figure(figsize=(8, 3.4))
    axes = figure.subplots(1, 2)
    names = [row["region_name"] or row["region_code"] for row in counties]
    colours = [KEY_COLOURS.get(row["key_county_level"] or "none", GREY) for row in counties]
    for ax, column, title in zip(
        axes,
        ("growth_balanced", "elimination_rate"),
        ("charts.key.growth", "charts.key.elimination"),
        strict=True,
    ):
        values = [float(row[column]) if row[column] is not None else 0.0 for row in counties]
        positions = list(range(len(counties)))[::-1]
        ax.barh(positions, values, color=colours)
        for y, row in zip(positions, counties, strict=True):
            ax.text(
                (float(row[column]) if row[column] is not None else 0.0),
                y,
                " " + formatting.percent(row[column]),
                va="center",
                fontsize=7.5,
            )
        ax.set_yticks(positions, names)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_title(labels(title, year=data.period.survey_year), fontsize=9)
        _percent_axis(ax, "x")
        ax.margins(x=0.25)
        _tidy(ax)
    handles = [
        Patch(color=colour, label=labels(f"key_county_level.{level}"))
        for level, colour in KEY_COLOURS.items()
    ]
    figure.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    figure.subplots_adjust(bottom=0.2, wspace=0.45)
    return figure


ChartFunction = Callable[..., Figure]


def draw_charts(
    data: ReportData, labels: Labels, font: CjkFont, income_shares: dict[str, str]
) -> dict[str, dict[str, str]]:
    """Every chart of the report by name: {"svg": inline SVG} or {"empty": why there is none}."""
    charts: Sequence[tuple[str, ChartFunction, tuple[Any, ...]]] = (
        ("growth", growth_by_county, ()),
        ("income_composition", income_composition, (income_shares,)),
        ("measure_coverage", measure_coverage, ()),
        ("funnel", monitoring_funnel, ()),
        ("key_counties", key_counties_vs_others, ()),
    )
    drawn = {}
    with matplotlib.rc_context(chart_rc(font)):
        for name, draw, extra in charts:
            try:
                drawn[name] = {"svg": _svg(draw(data, labels, *extra))}
            except NoData as empty:
                drawn[name] = {"empty": str(empty)}
    return drawn
