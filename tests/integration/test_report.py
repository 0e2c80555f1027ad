"""The quarterly report on a warehouse built by the pipeline: figures, lists, browser, wiring."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import numpy as np
import pytest
from matplotlib import image as mpimg
from openpyxl import load_workbook

from ingestion.generator import generate
from reporting.catalogue import load_labels, load_layout
from reporting.focus_lists import FOCUS_LISTS
from reporting.report import TEMPLATES_DIR, ReportFiles, render_report
from tests.integration import planted
from tests.libreoffice import resaved

pytestmark = pytest.mark.integration

QUARTER = "2023Q4"
PERIOD_END = "2023-12-31"
PROJECT_DIR = Path(__file__).resolve().parents[2]
GUIDE = PROJECT_DIR / "docs" / "analyst-guide.md"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, pipeline_runner):
    """The pipeline, once, on a small generated area and the planted city."""
    base = tmp_path_factory.mktemp("report")
    landing = base / "landing"
    generate(out_dir=landing, households=300, seed=11, years=[2021, 2022, 2023], fmt="csv",
             error_rate=0.0)  # fmt: skip
    planted.plant(landing)
    outcome = pipeline_runner(landing, base / "out")
    assert outcome.success, outcome.summary_text
    return outcome


@pytest.fixture(scope="module")
def warehouse(run) -> Path:
    return run.out_dir / "warehouse.duckdb"


@pytest.fixture(scope="module")
def report(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return render_report(warehouse, QUARTER, tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def mart_rows(warehouse: Path) -> dict[str, dict[str, Any]]:
    """Rows of marts.mart_quarterly_assessment at the quarter's end, by region code."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(
            "select * from marts.mart_quarterly_assessment where period_end = ?", [PERIOD_END]
        )
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    return {row["region_code"]: row for row in rows}


class ReportPage(HTMLParser):
    """The figures of the page (by mart column and region), rule outcomes, sections."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.figures: dict[tuple[str, str], list[str]] = {}
        self.figure_sections: dict[tuple[str, str], set[str]] = {}
        self.outcomes: dict[str, str] = {}
        self.ranked_counties: list[str] = []
        self._section = ""
        self._figure: tuple[str, str] | None = None
        self._text: list[str] = []
        self._rule = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self._section = found.get("id") or ""
        if "data-column" in found:
            self._figure = (found["data-column"], found["data-region"])
            self._text = []
        if "data-rule" in found:
            self._rule = found["data-rule"]
        if "data-outcome" in found:
            self.outcomes[self._rule] = found["data-outcome"]
        if "data-county" in found:
            self.ranked_counties.append(found["data-county"])

    def handle_data(self, data: str) -> None:
        if self._figure is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._figure is not None:
            self.figures.setdefault(self._figure, []).append("".join(self._text).strip())
            self.figure_sections.setdefault(self._figure, set()).add(self._section)
            self._figure = None


def shown_matches(text: str, value: Any) -> bool:
    """Whether a figure as shown is the mart's value, rounded half-up as the report rounds."""
    if text == "—":
        return value is None
    if value is None:
        return False
    if text in ("达标", "未达标"):
        return (text == "达标") == bool(value)
    number = float(re.sub(r"[,%+]|个百分点", "", text).replace("−", "-"))
    if text.endswith(("%", "个百分点")):
        return abs(number - float(value) * 100) <= 0.05 + 1e-9
    return abs(number - float(value)) <= 0.5 + 1e-9


def test_every_figure_of_the_page_is_the_marts(report: ReportFiles, mart_rows) -> None:
    page = ReportPage(report.html.read_text(encoding="utf-8"))
    assert len(page.figures) > 100
    wrong = [
        (column, region, text, mart_rows[region][column])
        for (column, region), texts in page.figures.items()
        for text in texts
        if not shown_matches(text, mart_rows[region][column])
    ]
    assert wrong == []


def test_headline_and_ranking_show_every_figure_of_the_layout(
    report: ReportFiles, mart_rows
) -> None:
    page = ReportPage(report.html.read_text(encoding="utf-8"))
    layout = load_layout()
    province = planted.PROVINCE
    for item in layout["headline"]:
        assert "headline" in page.figure_sections[(item["column"], province)], item
    counties = [code for code, row in mart_rows.items() if row["region_level"] == "county"]
    assert sorted(page.ranked_counties) == sorted(counties)
    for county in counties:
        for item in layout["ranking"]:
            assert (item["column"], county) in page.figures
    # ranked by growth: the rank column of the mart, best first
    ranks = [mart_rows[code]["growth_rank"] for code in page.ranked_counties]
    known = [rank for rank in ranks if rank is not None]
    assert known == sorted(known) and ranks[: len(known)] == known


def test_rule_outcomes_follow_the_mart_counts(report: ReportFiles, mart_rows) -> None:
    page = ReportPage(report.html.read_text(encoding="utf-8"))
    area = mart_rows[planted.PROVINCE]
    for rule in load_layout()["rules"]:
        count = area[rule["column"]]
        expected = (
            "not_evaluated"
            if count is None
            else "passed"
            if count == 0
            else ("warning" if rule["level"] == "warn" else "failed")
        )
        assert page.outcomes[rule["id"]] == expected, rule
    # the planted city: a county under supervision, a household without any measure
    assert page.outcomes["T2"] == "failed"
    assert page.outcomes["C1"] == "failed"


def test_supervision_list_is_the_counties_failing_t2(report: ReportFiles, mart_rows) -> None:
    page = ReportPage(report.html.read_text(encoding="utf-8"))
    listed = {region for (_, region), sections in page.figure_sections.items()
              if "supervision" in sections}  # fmt: skip
    supervised = {code for code, row in mart_rows.items() if row["under_supervision"]}
    assert listed == supervised
    assert planted.COUNTY_A in supervised


def test_page_is_self_contained(report: ReportFiles) -> None:
    html = report.html.read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html
    assert not re.search(r"url\((?!#)", html), "only references within the page (url(#…))"
    assert html.count("<svg") == 5
    assert '<html lang="zh-CN">' in html


def test_english_page_uses_the_english_catalogue(warehouse: Path, tmp_path: Path) -> None:
    files = render_report(warehouse, QUARTER, tmp_path, lang="en")
    assert files.html.name == f"assessment_{QUARTER}_en.html"
    html = files.html.read_text(encoding="utf-8")
    en = load_labels("en")
    assert en("section.rules") in html and en("section.ranking") in html
    assert load_labels("zh")("section.rules") not in html


def _list_rows(sheet) -> list[tuple]:
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    return [row for row in rows if any(value is not None for value in row[1:])]


def test_workbook_has_every_focus_list_with_the_marts_counts(
    report: ReportFiles, mart_rows
) -> None:
    labels = load_labels("zh")
    workbook = load_workbook(report.xlsx)
    expected_sheets = [labels("focus_lists.overview.sheet")] + [
        labels(f"focus_lists.{focus_list.key}.sheet") for focus_list in FOCUS_LISTS
    ]
    assert workbook.sheetnames == expected_sheets
    for focus_list in FOCUS_LISTS:
        sheet = workbook[labels(f"focus_lists.{focus_list.key}.sheet")]
        headers = [cell.value for cell in sheet[4]]
        assert headers[0] == "县代码" and "户编号" in headers, headers
        rows = _list_rows(sheet)
        counties = [row[0] for row in rows]
        assert counties == sorted(counties), focus_list.key
        expected = sum(
            row[focus_list.count_column] or 0
            for row in mart_rows.values()
            if row["region_level"] == "county"
        )
        assert len(rows) == expected, focus_list.key


def test_libreoffice_opens_the_focus_lists(report: ReportFiles, tmp_path: Path) -> None:
    labels = load_labels("zh")
    workbook = load_workbook(resaved(report.xlsx, tmp_path))
    original = load_workbook(report.xlsx)
    assert workbook.sheetnames == original.sheetnames
    for focus_list in FOCUS_LISTS:
        name = labels(f"focus_lists.{focus_list.key}.sheet")
        assert _list_rows(workbook[name]) == _list_rows(original[name]), name


def test_planted_households_are_on_their_lists(report: ReportFiles) -> None:
    labels = load_labels("zh")
    workbook = load_workbook(report.xlsx)

    def households(key: str) -> set[str]:
        sheet = workbook[labels(f"focus_lists.{key}.sheet")]
        column = [cell.value for cell in sheet[4]].index("户编号")
        return {row[column] for row in _list_rows(sheet)}

    assert planted.B2 in households("income_decrease")
    assert planted.B2 in households("low_income")
    assert planted.B2 in households("yidou")
    assert {planted.A1, planted.A2} <= households("no_targeted_measure")


def _screenshot(html: Path, png: Path, profile: Path, size: str = "1280,2000") -> None:
    browser = shutil.which("chromium")
    assert browser, "chromium is not installed: `make install` (system-packages.txt)"
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={size}",
            html.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert png.exists(), done.stderr[-2000:]


def _glyph_page(tmp_path: Path, name: str, text: str) -> Path:
    stylesheet = (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8")
    page = tmp_path / f"{name}.html"
    page.write_text(
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>{stylesheet}'
        f'</style></head><body><h1 style="font-size:96px">{text}</h1></body></html>',
        encoding="utf-8",
    )
    return page


def test_browser_renders_the_page_with_chinese_glyphs(report: ReportFiles, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    shot = tmp_path / "report.png"
    _screenshot(report.html, shot, profile)
    pixels = mpimg.imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    assert pixels[..., :3].std() > 0.05, "the page rendered blank"

    def rendered(name: str, text: str) -> np.ndarray:
        png = tmp_path / f"{name}.png"
        _screenshot(_glyph_page(tmp_path, name, text), png, profile, size="640,240")
        return mpimg.imread(png)

    # with the page's own fonts, distinct characters give distinct pictures ...
    assert not np.array_equal(rendered("zhong", "中国乡村"), rendered("guo", "国家振兴"))
    # ... while characters no font has come out as identical boxes: the check can fail
    assert np.array_equal(
        rendered("tofu_a", "\u0378\u0379\u0380"), rendered("tofu_b", "\u0381\u0382\u0383")
    )


def test_cli_renders_quarters_and_the_latest_after_a_run(
    run, warehouse: Path, tmp_path: Path
) -> None:
    from orchestration.cli import main, render_latest_report

    assert main(["report", "--quarter", "2023Q3", QUARTER, "--warehouse", str(warehouse),
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    assert (tmp_path / "assessment_2023Q3.html").exists()
    assert (tmp_path / f"focus_lists_{QUARTER}.xlsx").exists()
    assert main(["report", "--quarter", "2031Q1", "--warehouse", str(warehouse),
                 "--out", str(tmp_path)]) == 2  # fmt: skip
    latest = render_latest_report(run.out_dir)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (expected,) = con.execute(
            "select max_by(period_label, period_end) from marts.mart_quarterly_assessment"
        ).fetchone()
    assert latest.quarter == expected
    assert latest.html == run.out_dir / "reports" / f"assessment_{expected}.html"


def test_dagster_asset_renders_its_partitions_quarter(run) -> None:
    from orchestration.reporting.assets import assessment_report
    from orchestration.resources import FangpinPaths

    paths = FangpinPaths(landing_dir=str(run.out_dir), out_dir=str(run.out_dir))
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [assessment_report],
            partition_key="2023-07-01",
            resources={"paths": paths},
            instance=instance,
        )
    assert result.success
    assert (paths.reports_dir / "assessment_2023Q3.html").exists()
    assert (paths.reports_dir / "focus_lists_2023Q3.xlsx").exists()


def test_every_column_of_the_assessment_mart_is_documented(warehouse: Path) -> None:
    import yaml

    documented = yaml.safe_load(
        (PROJECT_DIR / "dbt_project/models/marts/_quarterly.yml").read_text(encoding="utf-8")
    )["models"][0]["columns"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        built = [
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'mart_quarterly_assessment' "
                "order by ordinal_position"
            ).fetchall()
        ]
    assert [column["name"] for column in documented] == built


def test_analyst_guide_queries_run_on_the_published_warehouse(run) -> None:
    blocks = re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 10
    published = run.out_dir / "published" / "warehouse.duckdb"
    answered = 0
    with duckdb.connect(str(published), read_only=True) as con:
        for sql in blocks:
            rows = con.execute(sql).fetchall()
            answered += bool(rows)
    assert answered >= 8, "most example questions should have answers on the test data"


def test_period_figures_are_exact_decimals(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (value,) = con.execute(
            "select per_capita_net_income from marts.mart_quarterly_assessment "
            "where region_level = 'county' and region_code = ? and period_end = ?",
            [planted.COUNTY_A, PERIOD_END],
        ).fetchone()
    # county A: 57 500 yuan over 5 people in 2023 (tests/integration/planted.py)
    assert value == Decimal("11500")
