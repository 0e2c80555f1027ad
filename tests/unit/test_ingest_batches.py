"""Ingestion in batches: the survey a year at a time, and a reload that keeps the batches whose
files, contract, run date and upstream tables did not change (docs/landing-files.md)."""

from __future__ import annotations

import csv
import os
import re
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from ingestion.config import SEEDS_DIR, contract_digest, load_config
from ingestion.generator import generate
from ingestion.load import (
    GROUP_NEEDS,
    NEXT,
    SOURCE_GROUPS,
    YEARLY_GROUPS,
    ingest_all,
    ingest_group,
)
from ingestion.rules import bad_rows_sql, typed_sql
from tests.unit.landing import (
    REGIONS,
    REGIONS_HEADER,
    household,
    id_number,
    member,
    query,
    write_csv,
    write_reference,
    write_survey,
)

RUN_DATE = date(2026, 6, 30)


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every raw table, the quarantine and the ledger (without its load times), sorted."""
    tables = [
        f"raw.{name}"
        for (name,) in query(
            db, "select table_name from information_schema.tables where table_schema = 'raw'"
        )
    ]
    out = {t: query(db, f"select * from {t} order by all") for t in sorted(tables)}
    out["audit.quarantine"] = query(db, "select * from audit.quarantine order by all")
    out["audit.ingest_ledger"] = query(
        db, "select * exclude (loaded_at) from audit.ingest_ledger order by all"
    )
    return out


def loaded_at(db: Path) -> dict[tuple[str, str], object]:
    rows = query(db, "select file, source, loaded_at from audit.ingest_ledger")
    return {(file, source): at for file, source, at in rows}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small province with bad rows in every source (2 %), in CSV files."""
    landing = tmp_path_factory.mktemp("generated") / "landing"
    generate(landing, households=600, seed=7, fmt="csv", error_rate=0.02)
    return landing


@pytest.fixture
def landing(generated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "landing"
    shutil.copytree(generated, copy)
    return copy


def change_first_figure(path: Path) -> None:
    """Rewrite a CSV file with its first data row's last cell changed (same size or not)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][-1] = "1234.56" if rows[1][-1] != "1234.56" else "6543.21"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def test_yearly_groups_have_only_rules_within_a_year() -> None:
    # a group is loaded a year at a time only if no rule compares rows of different years:
    # every unique key holds the year (the household rules join on the year in rules.py)
    config = load_config()
    for group in YEARLY_GROUPS:
        for name in SOURCE_GROUPS[group]:
            source = config.sources[name]
            assert source.per_unit, name
            assert all("year" in rule.columns for rule in source.unique), name


# a county's survey file, the raw table it changes, and the groups that look that table up
CHANGED_FILES = {
    "income.csv": ("income", set()),
    "members.csv": ("members", {"sector", "applications"}),
    "households.csv": (
        "households",
        {"sector", "applications", "measures", "monitoring_episodes"},
    ),
}


@pytest.mark.parametrize("changed_file", sorted(CHANGED_FILES))
def test_reload_after_one_county_changed_equals_a_fresh_load(
    landing: Path, tmp_path: Path, changed_file: str
) -> None:
    db = tmp_path / "out" / "restricted.duckdb"
    ingest_all(landing, db, RUN_DATE)
    first = snapshot(db)
    assert first["audit.quarantine"], "the generated files hold bad rows"
    before = loaded_at(db)
    time.sleep(1.1)  # load times are stored to the second

    years = sorted(p.name for p in (landing / "survey").iterdir())
    county = sorted(p.name for p in (landing / "survey" / years[-1]).iterdir())[0]
    change_first_figure(landing / "survey" / years[-1] / county / changed_file)
    results = {r.group: r for r in ingest_all(landing, db, RUN_DATE)}
    assert results["survey"].batches_read == [years[-1]]
    assert results["survey"].batches_kept == years[:-1]
    # a group that looks up survey tables is read again only if one of them changed
    table, lookups = CHANGED_FILES[changed_file]
    assert {g for g, r in results.items() if g != "survey" and r.batches_read} == lookups
    assert {g for g, needs in GROUP_NEEDS.items() if table in needs} == lookups

    fresh = tmp_path / "fresh" / "restricted.duckdb"
    ingest_all(landing, fresh, RUN_DATE)
    assert snapshot(db) == snapshot(fresh)
    assert snapshot(db) != first
    digests = "select raw_table, digest from audit.raw_digests order by all"
    assert query(db, digests) == query(fresh, digests)

    after = loaded_at(db)
    assert after.keys() == before.keys()
    folders = {
        group: {p.pattern.split("/", 1)[0] for n in names for p in load_config().sources[n].files}
        for group, names in SOURCE_GROUPS.items()
    }
    reread = {folder for group in lookups for folder in folders[group]}
    reloaded = {
        key
        for key in after
        if key[0].startswith(f"survey/{years[-1]}/") or key[0].split("/")[0] in reread
    }
    # the changed year and the groups that look up the changed table were loaded again;
    # the survey's earlier years, the reference files and the other groups were kept
    assert reloaded and all(after[key] > before[key] for key in reloaded)
    kept = after.keys() - reloaded
    assert any(key[0].startswith("survey/") for key in kept)
    assert all(after[key] == before[key] for key in kept)
    tables = query(db, "select table_schema, table_name from information_schema.tables")
    assert not [t for t in tables if t[1].startswith(NEXT)]


def test_removed_and_added_years_are_reloaded_like_a_fresh_load(
    landing: Path, tmp_path: Path
) -> None:
    db = tmp_path / "out" / "restricted.duckdb"
    ingest_all(landing, db, RUN_DATE)
    years = sorted(p.name for p in (landing / "survey").iterdir())
    shutil.rmtree(landing / "survey" / years[0])
    ingest_all(landing, db, RUN_DATE)
    fresh = tmp_path / "fresh" / "restricted.duckdb"
    ingest_all(landing, fresh, RUN_DATE)
    assert snapshot(db) == snapshot(fresh)
    stored_years = query(db, "select distinct year from raw.members order by 1")
    assert [str(y) for (y,) in stored_years] == years[1:]
    batches = query(
        db, "select batch from audit.ingest_batches where source_group = 'survey' order by 1"
    )
    assert [b for (b,) in batches] == years[1:]


def test_a_changed_reference_reloads_the_survey(tmp_path: Path) -> None:
    landing, db = tmp_path / "landing", tmp_path / "out" / "restricted.duckdb"
    write_reference(landing)
    new_village = "530102001009"
    write_survey(landing, [household("H01", 行政区划代码=new_village)], [member("H01", 1)])
    ingest_all(landing, db, RUN_DATE)
    assert query(db, "select count(*) from raw.households")[0][0] == 0

    # the village appears in the regions file: the same survey files now load
    regions = [*REGIONS, [new_village, "新村", "village", "530102001000", "", ""]]
    write_csv(landing / "reference" / "regions.csv", REGIONS_HEADER, regions)
    ingest_group("regions", landing, db, RUN_DATE)
    ingest_group("survey", landing, db, RUN_DATE)
    assert query(db, "select household_id from raw.households") == [("H01",)]
    assert query(db, "select count(*) from audit.quarantine where source = 'households'") == [(0,)]


def test_another_run_date_reloads(tmp_path: Path) -> None:
    landing, db = tmp_path / "landing", tmp_path / "out" / "restricted.duckdb"
    write_reference(landing)
    # collected on 2023-12-01: a date in the future on the first run date, not on the second
    write_survey(landing, [household("H01")], [member("H01", 1)])
    for group in ("regions", "survey"):
        ingest_group(group, landing, db, date(2023, 11, 30))
    assert query(db, "select count(*) from raw.households")[0][0] == 0
    for group in ("regions", "survey"):
        ingest_group(group, landing, db, date(2023, 12, 31))
    assert query(db, "select household_id from raw.households") == [("H01",)]


def test_a_file_rewritten_with_the_same_size_and_time_is_reloaded(tmp_path: Path) -> None:
    # batches are compared by their files' contents, not by the files' sizes and times
    landing, db = tmp_path / "landing", tmp_path / "out" / "restricted.duckdb"
    write_reference(landing)
    folder = write_survey(landing, [household("H01")], [member("H01", 1)])
    ingest_all(landing, db, RUN_DATE)
    members = folder / "members.csv"
    stat = members.stat()
    text = members.read_bytes()
    members.write_bytes(text.replace(id_number(seq=1).encode(), id_number(seq=2).encode()))
    assert members.stat().st_size == stat.st_size
    os.utime(members, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    ingest_group("survey", landing, db, RUN_DATE)
    assert query(db, "select id_number from raw.members") == [(id_number(seq=2),)]


def test_contract_digest_changes_with_a_seed(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    assert contract_digest(seeds) == contract_digest()
    seed = sorted(seeds.glob("*.csv"))[0]
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert contract_digest(seeds) != contract_digest()


def test_group_needs_names_every_raw_table_a_group_looks_up() -> None:
    # a batch is kept while the batches of the groups it needs are unchanged: a rule that read
    # a raw table its group does not name in GROUP_NEEDS would keep rows that should change
    config = load_config()
    typed = {name: f"typed_{name}" for name in config.sources}
    typed["household_status"] = "household_status"
    for group, names in SOURCE_GROUPS.items():
        own = {config.sources[n].raw_table for n in names}
        read: set[str] = set()
        for name in names:
            source = config.sources[name]
            sql = typed_sql(source, config, RUN_DATE, "stg", "files", "out")
            sql += bad_rows_sql(source, typed, "bad")[0]
            read |= set(re.findall(r"\braw\.(\w+)", sql))
        if any(config.sources[n].per_unit for n in names):
            read.add("regions")  # the counties a path may name (`_loaded_counties`)
        assert read - own <= set(GROUP_NEEDS.get(group, ())), group
