"""Ingestion in batches: the survey by county and year, and a reload that keeps the batches whose
files, contract, run date and upstream tables did not change, and reads a changed county's year
whole when its rows meet another county's in a rule (docs/landing-files.md)."""

from __future__ import annotations

import csv
import os
import re
import shutil
import time
from datetime import date
from pathlib import Path

import pytest

from ingestion.config import SEEDS_DIR, Config, Source, contract_digest, load_config
from ingestion.generator import generate
from ingestion.load import (
    CROSS_FILE_KEYS,
    FILE_GROUPS,
    GROUP_NEEDS,
    NEXT,
    SOURCE_GROUPS,
    YEARLY_GROUPS,
    ingest_all,
    ingest_group,
)
from ingestion.rules import HOUSEHOLD_CHILDREN, PATH_COLUMNS, bad_rows_sql, typed_sql
from tests.unit.landing import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_VILLAGE,
    REGIONS,
    REGIONS_HEADER,
    YEAR,
    household,
    id_number,
    income,
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


def rules_sql(config: Config, source: Source) -> str:
    """The SQL of a source's row rules, over typed tables named `typed_<source>` as in
    ingestion (and `household_status`, the survey's households as read)."""
    typed = {name: f"typed_{name}" for name in config.sources}
    typed["household_status"] = "household_status"
    return bad_rows_sql(source, typed, "bad")[0]


def test_yearly_groups_have_only_rules_within_a_year() -> None:
    # a group is loaded a year at a time only if no rule compares rows of different years:
    # every unique key holds the year (the household rules join on the year in rules.py)
    config = load_config()
    for group in YEARLY_GROUPS:
        for name in SOURCE_GROUPS[group]:
            source = config.sources[name]
            assert source.per_unit, name
            assert all("year" in rule.columns for rule in source.unique), name


def test_file_groups_have_no_rules_across_files() -> None:
    # a group is read a file at a time only if no rule compares rows of different files: no
    # unique key, and the rules read no typed table but the row's own (`from typed_x t`)
    config = load_config()
    for group in FILE_GROUPS:
        for name in SOURCE_GROUPS[group]:
            source = config.sources[name]
            assert not source.unique, name
            sql = rules_sql(config, source)
            assert re.findall(r"\btyped_\w+|\bhousehold_status\b", sql) == [f"typed_{name}"], name


def test_a_changed_monthly_push_is_read_alone(landing: Path, tmp_path: Path) -> None:
    db = tmp_path / "out" / "restricted.duckdb"
    ingest_all(landing, db, RUN_DATE)
    first = snapshot(db)
    changed = sorted((landing / "sector" / "medical").iterdir())[-1]
    episodes = sorted((landing / "monitoring").rglob("*.csv"))
    change_first_figure(changed)
    episodes[0].unlink()
    results = {r.group: r for r in ingest_all(landing, db, RUN_DATE)}
    assert results["sector"].batches_read == [changed.relative_to(landing).as_posix()]
    assert len(results["sector"].batches_kept) > 1
    assert results["monitoring_episodes"].batches_read == []
    assert len(results["monitoring_episodes"].batches_kept) == len(episodes) - 1
    fresh = tmp_path / "fresh" / "restricted.duckdb"
    ingest_all(landing, fresh, RUN_DATE)
    assert snapshot(db) == snapshot(fresh) != first


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
    survey = results["survey"]
    assert survey.batches_read == [f"{years[-1]}/{county[:6]}"]
    assert len(survey.batches_kept) == len(survey.batches_read + survey.batches_kept) - 1 > 1
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
        if key[0].startswith(f"survey/{years[-1]}/{county}/") or key[0].split("/")[0] in reread
    }
    # the changed county's year and the groups that look up the changed table were loaded
    # again; the other counties, the reference files and the other groups were kept
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
    assert {b.split("/")[0] for (b,) in batches} == set(years[1:])


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
    for group, names in SOURCE_GROUPS.items():
        own = {config.sources[n].raw_table for n in names}
        read: set[str] = set()
        for name in names:
            source = config.sources[name]
            sql = typed_sql(source, config, RUN_DATE, "stg", "files", "out")
            sql += rules_sql(config, source)
            read |= set(re.findall(r"\braw\.(\w+)", sql))
        if any(config.sources[n].per_unit for n in names):
            read.add("regions")  # the counties a path may name (`_loaded_counties`)
        assert read - own <= set(GROUP_NEEDS.get(group, ())), group


# A county's survey files: (households, members, income) rows, or None when it has none.
Survey = tuple[list[list[str]], list[list[str]], list[list[str]]] | None
A = ([household("H01", size=2), household("H02")],
     [member("H01", 1), member("H01", 2, 与户主关系="配偶"), member("H02", 3)],
     [income("H01"), income("H02")])  # fmt: skip
B01 = household("B01", 行政区划代码=OTHER_VILLAGE)
B = ([B01], [member("B01", 51)], [income("B01")])


def with_b02(*members: list[str]) -> Survey:
    """County B with a household B02 of the given members."""
    b02 = household("B02", size=len(members), 行政区划代码=OTHER_VILLAGE)
    return ([B01, b02], [member("B01", 51), *members], [income("B01"), income("B02")])


# name: (county A, county B before, county B after, whether the year must be read whole)
CROSSINGS: dict[str, tuple[Survey, Survey, Survey, bool]] = {
    "a figure changed": (A, B, ([B01], B[1], [income("B01", 工资性收入="13000")]), False),
    "an ID number of the other county added": (A, B, with_b02(member("B02", 1)), True),
    "a repeated ID number corrected": (
        A, with_b02(member("B02", 1)), with_b02(member("B02", 52)), True
    ),
    "a member of the other county's household": (
        A, B, ([B01], [*B[1], member("H02", 53)], B[2]), True
    ),
    "a household the other county's members find": (
        ([*A[0]], [*A[1], member("B01", 4)], A[2]),
        B,
        ([household("B01", 行政区划代码="530103001999")], B[1], B[2]),
        True,
    ),
    "the ID number of a quarantined row": (
        ([*A[0]], [*A[1], member("H02", 5, 与户主关系="外星人")], A[2]),
        B,
        with_b02(member("B02", 5)),
        True,
    ),
    "a county added": (A, None, B, False),
    "a county removed": (A, B, None, False),
    "a county with a repeated ID number removed": (A, with_b02(member("B02", 1)), None, True),
}  # fmt: skip


def write_county(landing: Path, county: str, survey: Survey) -> None:
    folder = landing / "survey" / str(YEAR) / county
    if survey is None:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        write_survey(landing, *survey, county=county)


@pytest.mark.parametrize("case", sorted(CROSSINGS))
def test_a_county_read_again_alone_only_when_no_rule_meets_another_county(
    tmp_path: Path, case: str
) -> None:
    a, b_before, b_after, whole_year = CROSSINGS[case]
    landing, db = tmp_path / "landing", tmp_path / "out" / "restricted.duckdb"
    write_reference(landing)
    write_county(landing, COUNTY, a)
    write_county(landing, OTHER_COUNTY, b_before)
    write_survey(landing, [household("H01", 采集日期="2022-12-01")], [member("H01", 1)], year=2022)
    ingest_all(landing, db, RUN_DATE)
    first = snapshot(db)

    write_county(landing, OTHER_COUNTY, b_after)
    result = ingest_group("survey", landing, db, RUN_DATE)
    a_batch, b_batch = f"{YEAR}/{COUNTY}", f"{YEAR}/{OTHER_COUNTY}"
    if whole_year:
        assert result.batches_read == sorted({a_batch} | ({b_batch} if b_after else set()))
    else:
        assert result.batches_read == ([b_batch] if b_after else [])
    assert f"2022/{COUNTY}" in result.batches_kept

    fresh = tmp_path / "fresh" / "restricted.duckdb"
    ingest_all(landing, fresh, RUN_DATE)
    assert snapshot(db) == snapshot(fresh)
    assert snapshot(db) != first
    keys = "select * from audit.quarantine_keys order by all"
    assert query(db, keys) == query(fresh, keys)


def test_the_stored_keys_are_those_the_rules_across_files_compare() -> None:
    # `_crossings` compares the unique keys and a member's or income row's household: the
    # quarantined rows' keys are stored for them (audit.quarantine_keys)
    config = load_config()
    for group in YEARLY_GROUPS:
        for name in SOURCE_GROUPS[group]:
            source = config.sources[name]
            for rule in source.unique:
                assert set(rule.columns) - set(PATH_COLUMNS) <= set(CROSS_FILE_KEYS), name
            finds_household = "household_status" in rules_sql(config, source)
            assert finds_household == (name in HOUSEHOLD_CHILDREN), name
    assert "household_id" in CROSS_FILE_KEYS
