"""The `fangpin` command line: salt handling, exit codes, the landing sensor's change detection."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingestion.fingerprint import group_fingerprints
from orchestration.cli import UsageError, main, resolve_salt
from orchestration.environment import DEMO_SALT, ENV_SALT
from orchestration.ingestion.sensors import changed_groups


def test_run_without_salt_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_SALT, raising=False)
    with pytest.raises(UsageError, match="FANGPIN_SALT is not set"):
        resolve_salt(demo=False)


def test_demo_salt_is_refused_outside_demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_SALT, DEMO_SALT)
    with pytest.raises(UsageError, match="accepted only with --demo"):
        resolve_salt(demo=False)


def test_demo_mode_uses_the_demo_salt_and_a_real_salt_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_SALT, raising=False)
    assert resolve_salt(demo=True) == DEMO_SALT
    monkeypatch.setenv(ENV_SALT, "a-bureau-secret")
    assert resolve_salt(demo=False) == "a-bureau-secret"
    with pytest.raises(UsageError, match="unset FANGPIN_SALT"):
        resolve_salt(demo=True)


def test_missing_landing_area_exits_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_SALT, "a-bureau-secret")
    code = main(["run", "--landing", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def test_sensor_sees_only_the_groups_whose_files_changed(tmp_path: Path) -> None:
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "regions.csv").write_text("region_code\n", encoding="utf-8")
    survey = tmp_path / "survey" / "2023" / "530102"
    survey.mkdir(parents=True)
    (survey / "households.csv").write_text("户编号\n1\n", encoding="utf-8")
    before = group_fingerprints(tmp_path)
    assert changed_groups(before, group_fingerprints(tmp_path)) == []

    (survey / "households.csv").write_text("户编号\n1\n2\n", encoding="utf-8")
    assert changed_groups(before, group_fingerprints(tmp_path)) == ["survey"]

    measures = tmp_path / "measures" / "2023"
    measures.mkdir(parents=True)
    (measures / "530102.csv").write_text("措施编号\n", encoding="utf-8")
    assert changed_groups(before, group_fingerprints(tmp_path)) == ["survey", "measures"]
    # a first tick (no cursor) sees every group
    assert changed_groups({}, before) == list(before)
    assert os.environ.get("DO_NOT_TRACK") == "1"
