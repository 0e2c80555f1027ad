"""`fangpin run` runs on an in-memory Dagster instance; `--record` keeps the run in DAGSTER_HOME."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
from dagster._core.instance.ref import InstanceRef

from ingestion.generator import generate
from orchestration.environment import DEFAULT_DAGSTER_HOME

FANGPIN = Path(sys.executable).parent / "fangpin"


def _run(landing: Path, out: Path, home: Path, *extra: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "FANGPIN_SALT"}
    env["DAGSTER_HOME"] = str(home)
    completed = subprocess.run(
        [str(FANGPIN), "run", "--demo", *extra, "--landing", str(landing), "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return json.loads((out / "run_summary.json").read_text(encoding="utf-8"))["run_id"]


def _recorded_runs(home: Path) -> list[str]:
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        return [run.run_id for run in instance.get_runs()]


def test_only_a_recorded_run_is_kept_in_the_dagster_instance(tmp_path: Path) -> None:
    landing, home = tmp_path / "landing", tmp_path / "dagster_home"
    generate(out_dir=landing, households=150, seed=5, years=[2023], fmt="csv")
    home.mkdir()
    shutil.copy(DEFAULT_DAGSTER_HOME / "dagster.yaml", home / "dagster.yaml")
    _run(landing, tmp_path / "out_plain", home)
    assert _recorded_runs(home) == []
    run_id = _run(landing, tmp_path / "out_recorded", home, "--record")
    assert _recorded_runs(home) == [run_id]
