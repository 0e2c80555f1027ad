"""Shared fixtures: run the real Dagster job in-process against a temporary output directory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import orchestration  # noqa: F401  (sets telemetry off and DAGSTER_HOME for every test)
from orchestration.environment import DEMO_SALT, ENV_SALT, set_paths
from orchestration.run import RunOutcome, run_pipeline


@pytest.fixture(scope="session")
def pipeline_runner() -> Iterator[Callable[[Path, Path], RunOutcome]]:
    """Run the main job in-process (in-memory Dagster instance) on a landing dir into an out dir."""
    saved = dict(os.environ)

    def _run(landing: Path, out: Path) -> RunOutcome:
        os.environ[ENV_SALT] = DEMO_SALT
        set_paths(landing, out)
        return run_pipeline(landing, out)

    yield _run
    os.environ.clear()
    os.environ.update(saved)
