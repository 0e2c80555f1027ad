"""The quarterly report's parts that need no warehouse: formats, statuses, words, fonts, wiring."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reporting import fonts, formatting
from reporting.catalogue import LANGUAGES, label_keys, load_labels, load_layout
from reporting.focus_lists import FOCUS_LISTS
from reporting.marts import ReportInputError, normalise_quarter
from reporting.status import AMBER, GREEN, RED, UNKNOWN, county_status, figure_status


def test_money_is_rounded_half_up_only_when_shown() -> None:
    assert formatting.yuan(Decimal("15773.500000")) == "15,774"
    assert formatting.yuan(Decimal("15773.499999")) == "15,773"
    assert formatting.yuan(Decimal("-2.5")) == "−3"
    assert formatting.count(1234567) == "1,234,567"
    assert formatting.count(None) == formatting.MISSING


def test_rates_are_percentages_with_one_decimal_half_up() -> None:
    assert formatting.percent(0.0725) == "7.3%"
    assert formatting.percent(0.07249) == "7.2%"
    assert formatting.percent(1.0) == "100.0%"
    assert formatting.percent(float("nan")) == formatting.MISSING


def test_changes_carry_a_sign_and_rates_change_in_points() -> None:
    assert formatting.change(12, "count", "pp") == "+12"
    assert formatting.change(-3, "count", "pp") == "−3"
    assert formatting.change(0, "count", "pp") == "0"
    assert formatting.change(0.014, "percent", " pp") == "+1.4 pp"
    assert formatting.change(-0.05, "percent", "个百分点") == "−5.0个百分点"
    assert formatting.change(None, "percent", " pp") == formatting.MISSING


def test_figure_status_follows_the_thresholds() -> None:
    higher = {"better": "higher", "green": 0.6, "amber": 0.4}
    assert figure_status(0.6, higher) == GREEN
    assert figure_status(0.45, higher) == AMBER
    assert figure_status(0.1, higher) == RED
    lower = {"better": "lower", "green": 0, "amber": 2}
    assert figure_status(0, lower) == GREEN
    assert figure_status(2, lower) == AMBER
    assert figure_status(3, lower) == RED
    assert figure_status(None, lower) == UNKNOWN
    assert figure_status(False, {"flag": True}) == RED


def test_county_status_is_its_worst_known_figure() -> None:
    thresholds = load_layout()["status"]
    good = {"meets_growth_target": True, "elimination_rate": 0.7, "omissions": 0}
    assert county_status(good, thresholds) == GREEN
    assert county_status({**good, "elimination_rate": 0.5}, thresholds) == AMBER
    assert county_status({**good, "meets_growth_target": False}, thresholds) == RED
    assert county_status({"meets_growth_target": None}, thresholds) == UNKNOWN


def test_every_label_has_chinese_and_english() -> None:
    missing = [key for key, texts in label_keys().items() if set(texts) != set(LANGUAGES)]
    assert missing == []


def test_every_figure_rule_and_list_of_the_layout_has_words() -> None:
    layout = load_layout()
    for lang in LANGUAGES:
        labels = load_labels(lang)
        columns = [item["column"] for item in layout["headline"] + layout["ranking"]]
        columns += list(layout["status"]) + list(layout["income_shares"].values())
        for column in columns:
            labels(f"columns.{column}")
        for rule in layout["rules"]:
            labels(f"rules.{rule['id']}.text")
            labels(f"rules.{rule['id']}.unknown")
        for focus_list in FOCUS_LISTS:
            for part in ("sheet", "title", "rule"):
                labels(f"focus_lists.{focus_list.key}.{part}")


def test_every_rule_of_spec_section_6_is_reported() -> None:
    ids = [rule["id"] for rule in load_layout()["rules"]]
    assert ids == ["T1", "T2", "T3", "T4", "C1", "C2", "C3", "C4", "M1", "M2", "M3"]


def test_quarters_are_written_like_2023q4() -> None:
    assert normalise_quarter("2023q4") == "2023Q4"
    assert normalise_quarter(" 2023 Q1 ") == "2023Q1"
    with pytest.raises(ReportInputError, match="2023Q4"):
        normalise_quarter("2023-10")


def test_a_partition_is_a_quarter() -> None:
    from orchestration.reporting.partitions import (
        partition_of_quarter,
        quarter_of_partition,
        quarterly_partitions,
    )

    assert quarter_of_partition("2023-10-01") == "2023Q4"
    assert partition_of_quarter("2022Q2") == "2022-04-01"
    keys = quarterly_partitions.get_partition_keys(
        current_time=datetime(2024, 1, 2, tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    assert keys[:2] == ["2021-01-01", "2021-04-01"]
    assert keys[-1] == "2023-10-01"


def test_schedule_renders_the_quarter_just_ended_five_days_after_it() -> None:
    from orchestration.definitions import defs
    from orchestration.reporting.schedules import quarterly_report_schedule

    assert quarterly_report_schedule.cron_schedule == "0 6 5 1,4,7,10 *"
    context = dg.build_schedule_context(
        repository_def=defs.get_repository_def(),
        scheduled_execution_time=datetime(2024, 1, 5, 6, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    request = quarterly_report_schedule.evaluate_tick(context).run_requests[0]
    assert request.partition_key == "2023-10-01"


def test_main_job_stays_unpartitioned_without_the_report() -> None:
    from orchestration.definitions import MAIN_JOB_NAME, defs
    from orchestration.reporting.assets import REPORT_KEY
    from orchestration.reporting.schedules import QUARTERLY_REPORT_JOB_NAME

    main_job = defs.resolve_job_def(MAIN_JOB_NAME)
    assert main_job.partitions_def is None
    assert REPORT_KEY not in main_job.asset_layer.executable_asset_keys
    report_job = defs.resolve_job_def(QUARTERLY_REPORT_JOB_NAME)
    assert report_job.partitions_def is not None
    assert report_job.asset_layer.executable_asset_keys == {REPORT_KEY}


def test_report_depends_on_the_marts_it_reads() -> None:
    from orchestration.reporting.assets import REPORT_DEPS

    names = {key.path[-1] for key in REPORT_DEPS}
    assert {"mart_quarterly_assessment", "mart_measure_completeness", "dim_region"} <= names
    assert all(key.path[0] == "marts" for key in REPORT_DEPS)


def _glyph_bitmap(text: str, family: str) -> np.ndarray:
    figure = Figure(figsize=(1, 1), dpi=60)
    figure.text(0.5, 0.5, text, fontsize=36, family=family, ha="center", va="center")
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., 0].copy()


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_charts_draw_chinese_glyphs_not_tofu_boxes() -> None:
    import matplotlib

    font = fonts.find_cjk_font()
    with matplotlib.rc_context(fonts.chart_rc(font)):
        zhong, guo = _glyph_bitmap("中", font.family), _glyph_bitmap("国", font.family)
        # the same check tells a font without Chinese glyphs apart: both come out as one box
        tofu_zhong = _glyph_bitmap("中", "DejaVu Sans")
        tofu_guo = _glyph_bitmap("国", "DejaVu Sans")
    assert (zhong < 128).any(), "nothing drawn"
    assert not np.array_equal(zhong, guo), f"{font.family} draws 中 and 国 alike (tofu)"
    assert np.array_equal(tofu_zhong, tofu_guo)


def test_a_missing_chinese_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_fontconfig_choice", lambda: None)
    monkeypatch.setattr(
        fonts, "KNOWN_CJK_FONTS", ((Path("/nonexistent/NotoSansCJK.ttc"), "Noto Sans CJK SC"),)
    )
    with pytest.raises(fonts.CjkFontMissingError, match="fonts-noto-cjk"):
        fonts.find_cjk_font()


def test_system_packages_list_the_font_and_the_browser() -> None:
    listed = Path(__file__).resolve().parents[2] / "system-packages.txt"
    packages = {line.strip() for line in listed.read_text().splitlines() if line[:1] != "#"}
    assert {"fonts-noto-cjk", "chromium"} <= packages
