"""One generated landing area with the planted city, and one pipeline run over it, per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.generator import generate
from tests.integration import planted


@pytest.fixture(scope="session")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("pipeline") / "landing"
    generate(
        out_dir=landing, households=600, seed=7, years=[2021, 2022, 2023], fmt="mixed",
        error_rate=0.01,
    )  # fmt: skip
    planted.plant(landing)
    return landing


@pytest.fixture(scope="session")
def run(landing: Path, tmp_path_factory: pytest.TempPathFactory, pipeline_runner):
    """The main job run in-process over `landing`; tests read its stores, none writes them."""
    out = tmp_path_factory.mktemp("out")
    outcome = pipeline_runner(landing, out)
    assert outcome.success, outcome.summary_text
    return outcome
