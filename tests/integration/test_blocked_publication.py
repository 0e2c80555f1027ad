"""A run whose blocking checks fail does not publish, and says why (SPEC §4.3, §7.1)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from ingestion.generator import generate

pytestmark = pytest.mark.integration


def _marts(published: Path) -> list:
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("select * from marts.mart_county_income_targets order by all").fetchall()


def test_a_survey_year_without_a_line_stops_publication(tmp_path: Path, pipeline_runner) -> None:
    landing, out = tmp_path / "landing", tmp_path / "out"
    generate(out_dir=landing, households=150, seed=13, years=[2022, 2023], fmt="csv")
    good = pipeline_runner(landing, out)
    assert good.success and good.published is not None, good.summary_text
    before = _marts(good.published)

    lines = landing / "reference" / "monitoring_lines.csv"
    text = lines.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    kept = [row for row in rows if "2023" not in row]
    assert len(kept) == len(rows) - 1
    with lines.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(kept)

    blocked = pipeline_runner(landing, out)
    assert not blocked.success
    assert blocked.published is None
    assert "2023" in blocked.error and "monitoring line" in blocked.error, blocked.error
    assert "NOT published" in blocked.summary_text
    # analysts still have the last good snapshot
    assert _marts(out / "published" / "warehouse.duckdb") == before
