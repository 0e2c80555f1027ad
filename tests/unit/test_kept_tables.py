"""What the `kept_table` materialization relies on (docs/dbt-models.md, "Kept tables")."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from orchestration.dbt_plugin import build_state
from orchestration.environment import DBT_PROJECT_DIR

MODELS = sorted((DBT_PROJECT_DIR / "models").rglob("*.sql"))
TESTS = sorted((DBT_PROJECT_DIR / "tests").rglob("*.sql"))
# a relation named in SQL rather than through ref() or source()
SCHEMAS = re.compile(
    r"\b(restricted|raw|audit|staging|intermediate|marts|reference|main)\s*\.\s*[a-z_]", re.I
)


def _without_comments(sql: str) -> str:
    sql = re.sub(r"{#.*?#}", "", sql, flags=re.S)
    sql = re.sub(r"/\*.*?\*/", "", sql, flags=re.S)
    return re.sub(r"--[^\n]*", "", sql)


@pytest.mark.parametrize("path", MODELS + TESTS, ids=lambda p: p.stem)
def test_models_and_tests_read_relations_only_through_ref_and_source(path: Path) -> None:
    # a table or a test is kept while the tables behind its ref() and source() dependencies
    # are unchanged: one that named a relation itself would be kept when that relation changed
    sql = _without_comments(path.read_text(encoding="utf-8"))
    assert not SCHEMAS.findall(sql), path


def test_the_build_state_changes_with_the_salt_and_the_project(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    state = build_state("salt-a", project)
    assert state == build_state("salt-a", DBT_PROJECT_DIR)
    assert build_state("salt-b", project) != state
    assert "salt-a" not in state
    # a macro changes what the tables hold: every table is built again
    macro = sorted((project / "macros").glob("*.sql"))[0]
    macro.write_text(macro.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = build_state("salt-a", project)
    assert changed != state
    # a data test does not
    test = sorted((project / "tests").glob("*.sql"))[0]
    test.write_text(test.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert build_state("salt-a", project) == changed
