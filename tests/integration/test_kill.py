"""Killing a run anywhere leaves the published warehouse readable and as good as before.

`fangpin run` is killed with SIGKILL (its whole process group, dbt included, as a service
manager would) at ten points during ingestion, dbt and publication. After each kill the
published snapshot must open and hold the same marts as the last good run; the next run must
succeed without any manual step.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingestion.generator import generate

pytestmark = pytest.mark.integration

FANGPIN = Path(sys.executable).parent / "fangpin"
MARTS = ["fct_household_annual_income", "mart_county_income_targets", "mart_measure_completeness"]

# (step whose start is awaited in the run log, seconds to wait after it before the kill)
KILL_POINTS = [
    ("ingest_regions", 0.0),
    ("ingest_survey", 0.2),
    ("ingest_survey", 1.0),
    ("ingest_monitoring_episodes", 0.0),
    ("ingest_measures", 0.1),
    ("fangpin_dbt_assets", 0.5),
    ("fangpin_dbt_assets", 3.0),
    ("fangpin_dbt_assets", 8.0),
    ("published__warehouse", 0.0),
    ("published__warehouse", 0.05),
]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "FANGPIN_SALT"}


def _run(landing: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(FANGPIN), "run", "--demo", "--landing", str(landing), "--out", str(out)],
        env=_env(), capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def _published_marts(out: Path) -> str:
    """Digest of the sorted marts of the published snapshot (opening it must work)."""
    digest = hashlib.sha256()
    with duckdb.connect(str(out / "published" / "warehouse.duckdb"), read_only=True) as con:
        for mart in MARTS:
            digest.update(
                repr(con.execute(f"select * from marts.{mart} order by all").fetchall()).encode()
            )
    return digest.hexdigest()


def _kill_when(landing: Path, out: Path, step: str, delay: float) -> bool:
    """Start a run, SIGKILL its group `delay` s after `step` starts; False if it ended first."""
    log = out / "run.log"
    marker = f'Started execution of step "{step}"'
    process = subprocess.Popen(
        [str(FANGPIN), "run", "--demo", "--landing", str(landing), "--out", str(out)],
        env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            if log.exists() and marker in log.read_text(encoding="utf-8", errors="replace"):
                time.sleep(delay)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return True
            time.sleep(0.01)
        raise AssertionError(f"step {step} never started")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_sigkill_at_any_point_keeps_the_last_good_snapshot(tmp_path: Path) -> None:
    landing, out = tmp_path / "landing", tmp_path / "out"
    generate(out_dir=landing, households=150, seed=5, years=[2022, 2023], fmt="csv")
    first = _run(landing, out)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    good = _published_marts(out)

    random.seed(20261125)
    killed = 0
    for step, delay in KILL_POINTS:
        if _kill_when(landing, out, step, delay + random.uniform(0, 0.05)):
            killed += 1
        # readable, and the same marts as the last good run (same input → same marts)
        assert _published_marts(out) == good, f"after a kill at {step} + {delay}s"
        assert not list((out / "published").glob(".*.tmp")) or step == "published__warehouse"
    assert killed >= 8, f"only {killed} runs were killed before they finished"

    again = _run(landing, out)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert "run: succeeded" in again.stdout
    assert _published_marts(out) == good
    assert not list((out / "published").glob(".*.tmp"))
