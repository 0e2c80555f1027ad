"""The demo / benchmark landing-area generator (ingestion.generator)."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from ingestion.generator import GenerateSummary, generate
from ingestion.generator.config import load_config
from ingestion.generator.regions import plan_geography
from ingestion.generator.run import _rng
from ingestion.idnumber import is_valid

SOURCES = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "ingestion" / "sources.yaml").read_text("utf-8")
)["sources"]
SHEETS = {"households": "户信息", "members": "成员信息", "income": "收入信息"}
LANDING_FILE = re.compile(
    r"reference/(regions|monitoring_lines)\.csv"
    r"|survey/\d{4}/(\d{6}|\d{6}0{6})(\.xlsx|/(households|members|income)\.csv)"
    r"|(monitoring|measures)/\d{4}/(\d{6}|\d{6}0{6})\.(xlsx|csv)"
    r"|sector/(medical|civil_affairs|employment|education|housing|emergency|disability)"
    r"/\d{4}-\d{2}\.csv"
    r"|applications/\d{4}-\d{2}\.csv"
)


def _normalise(header: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(header)))
    text = re.sub(r"\([^()]*\)$", "", text)
    return re.sub(r"^其中:", "", text).lower()


def _code_names(source: str) -> dict[str, str]:
    names = {}
    contract = "monitoring_episodes" if source == "monitoring" else source
    for code, spec in SOURCES[contract]["columns"].items():
        for alias in [code, *spec.get("aliases", [])]:
            names.setdefault(_normalise(alias), code)
    return names


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("undecodable CSV")


def _cell(value) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _rows(header: list, rows: list, source: str) -> list[dict[str, str]]:
    names = _code_names(source)
    codes = [names[_normalise(h)] for h in header]
    # a workbook row ends at its last non-empty cell
    padded = [list(row) + [None] * (len(codes) - len(row)) for row in rows]
    return [{c: _cell(v) for c, v in zip(codes, row, strict=True)} for row in padded]


@cache
def read_source(landing: Path, source: str) -> list[dict[str, str]]:
    """All rows of a source, CSV or XLSX, keyed by code name, with year and county."""
    out = []
    folder = "survey" if source in SHEETS else source
    for path in sorted((landing / folder).glob("*/*")):
        year, county = int(path.parent.name), path.name[:6]
        if path.suffix == ".xlsx":
            wb = load_workbook(path, read_only=True)
            ws = wb[SHEETS[source]] if source in SHEETS else wb.worksheets[0]
            header, *body = list(ws.iter_rows(values_only=True))
            wb.close()
        else:
            csv_path = path / f"{source}.csv" if path.is_dir() else path
            header, *body = list(csv.reader(io.StringIO(_decode(csv_path.read_bytes()))))
        for row in _rows(list(header), body, source):
            out.append({**row, "year": year, "county": county})
    return out


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateSummary]:
    landing = tmp_path_factory.mktemp("mixed") / "landing"
    return landing, generate(landing, households=400, seed=11, fmt="mixed", error_rate=0)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("sample") / "landing"
    generate(landing, households=5000, seed=42, fmt="csv", error_rate=0)
    return landing


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "landing", tmp_path / "b" / "landing"
    generate(first, households=300, seed=5, fmt="mixed", error_rate=0.01)
    generate(second, households=300, seed=5, fmt="mixed", error_rate=0.01)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert any(f.suffix == ".xlsx" for f in files) and any(f.suffix == ".csv" for f in files)
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for f in files:
        assert (first / f).read_bytes() == (second / f).read_bytes(), f
    manifest = "landing.manifest.json"
    assert (first.parent / manifest).read_bytes() == (second.parent / manifest).read_bytes()


def test_another_seed_gives_other_households(tmp_path: Path) -> None:
    generate(tmp_path / "a", households=200, seed=1, fmt="csv", error_rate=0)
    generate(tmp_path / "b", households=200, seed=2, fmt="csv", error_rate=0)
    members = "survey/2021/530121/members.csv"
    assert (tmp_path / "a" / members).read_bytes() != (tmp_path / "b" / members).read_bytes()


def test_every_file_in_the_landing_dir_is_a_landing_file(mixed) -> None:
    landing, summary = mixed
    files = [p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file()]
    assert files and all(LANDING_FILE.fullmatch(f) for f in files), files
    assert summary.files == len(files)
    manifest = json.loads((landing.parent / "landing.manifest.json").read_text("utf-8"))
    assert manifest["files"] == len(files) and sorted(manifest["paths"]) == sorted(files)
    assert manifest["households"] == summary.households > 400


def test_every_id_number_is_valid(mixed) -> None:
    landing, _ = mixed
    members = read_source(landing, "members")
    households = read_source(landing, "households")
    assert members and all(is_valid(m["id_number"]) for m in members)
    assert all(is_valid(h["head_id_number"]) for h in households)
    assert len({(m["year"], m["id_number"]) for m in members}) == len(members)


def test_id_numbers_carry_county_birth_date_and_sex(mixed) -> None:
    landing, _ = mixed
    male = {"子", "孙子", "父亲", "女婿"}
    female = {"女", "孙女", "母亲", "儿媳"}
    for m in read_source(landing, "members"):
        id_number = m["id_number"]
        assert id_number[:6] == m["county"]
        age = m["year"] - int(id_number[6:10])
        assert 0 <= age <= 100
        if m["relation"] in male | female:
            assert (int(id_number[16]) % 2 == 1) == (m["relation"] in male)
        if 6 <= age <= 14:
            assert m["schooling"] in {"小学", "七年级", "八年级", "九年级", "失学辍学"}


def test_household_size_equals_member_count(mixed) -> None:
    landing, _ = mixed
    counts = Counter((m["year"], m["household_id"]) for m in read_source(landing, "members"))
    households = read_source(landing, "households")
    assert households
    for h in households:
        assert int(h["household_size"]) == counts[(h["year"], h["household_id"])]
    heads = Counter((m["year"], m["household_id"]) for m in read_source(landing, "members")
                    if m["relation"] == "户主")  # fmt: skip
    assert all(heads[(h["year"], h["household_id"])] == 1 for h in households)


def test_every_village_code_is_a_village_in_regions(mixed) -> None:
    landing, summary = mixed
    with (landing / "reference" / "regions.csv").open(encoding="utf-8", newline="") as f:
        regions = list(csv.DictReader(f))
    villages = {r["region_code"] for r in regions if r["level"] == "village"}
    assert all(len(r["region_code"]) == 12 for r in regions)
    assert all(v[9:] != "000" for v in villages)
    assert len(villages) == summary.villages
    for h in read_source(landing, "households"):
        assert h["village_code"] in villages
        assert h["household_id"].startswith(h["village_code"])
    counties = [r for r in regions if r["level"] == "county"]
    assert len(counties) >= 4
    assert {r["is_key_county"] for r in counties} <= {"none", "provincial", "national"}
    assert {"national", "provincial"} <= {r["is_key_county"] for r in counties}


def test_monitoring_lines_cover_every_year(tmp_path: Path) -> None:
    generate(tmp_path / "l", households=50, years=[2022, 2023, 2024], fmt="csv", error_rate=0)
    with (tmp_path / "l" / "reference" / "monitoring_lines.csv").open(encoding="utf-8") as f:
        lines = {int(r["year"]): r["line_yuan"] for r in csv.DictReader(f)}
    assert lines == {2022: "7000.00", 2023: "8050.00", 2024: "8300.00"}


def test_xlsx_survey_workbooks_have_the_three_sheets(mixed) -> None:
    landing, _ = mixed
    workbooks = sorted((landing / "survey").glob("*/*.xlsx"))
    assert workbooks
    for path in workbooks:
        wb = load_workbook(path, read_only=True)
        assert wb.sheetnames == ["户信息", "成员信息", "收入信息"]
        wb.close()


def test_xlsx_files_carry_fixed_timestamps(mixed) -> None:
    landing, _ = mixed
    for path in landing.rglob("*.xlsx"):
        with zipfile.ZipFile(path) as archive:
            assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            # and no document properties, whose creation time would be the time of writing
            assert not [n for n in archive.namelist() if n.startswith("docProps/")]


def test_mixed_format_uses_every_csv_encoding(mixed) -> None:
    landing, _ = mixed
    seen = set()
    for path in landing.rglob("*.csv"):
        raw = path.read_bytes()
        if path.parent.name == "reference":
            continue
        if raw.startswith(b"\xef\xbb\xbf"):
            seen.add("utf-8-sig")
        else:
            try:
                raw.decode("utf-8")
                seen.add("utf-8")
            except UnicodeDecodeError:
                raw.decode("gb18030")
                seen.add("gb18030")
    assert seen == {"utf-8", "utf-8-sig", "gb18030"}


def test_episodes_are_ordered_and_do_not_overlap(mixed) -> None:
    landing, _ = mixed
    alleviated = {h["household_id"]: h["is_alleviated"] for h in read_source(landing, "households")}
    by_household: dict[str, list] = {}
    for e in read_source(landing, "monitoring"):
        found, identified = (
            date.fromisoformat(e["risk_found_date"]),
            date.fromisoformat(e["identified_date"]),
        )
        eliminated = date.fromisoformat(e["eliminated_date"]) if e["eliminated_date"] else None
        assert found <= identified and (eliminated is None or identified <= eliminated)
        assert found.year == e["year"]
        if e["category"] == "脱贫不稳定户":
            assert alleviated[e["household_id"]] == "是"
        by_household.setdefault(e["household_id"], []).append((found, eliminated))
    for episodes in by_household.values():
        episodes.sort()
        for (_, ended), (next_found, _) in zip(episodes, episodes[1:], strict=False):
            assert ended is not None and ended < next_found


def test_measures_have_unique_ids_and_ordered_dates(mixed) -> None:
    landing, _ = mixed
    measures = read_source(landing, "measures")
    assert measures and len({m["measure_id"] for m in measures}) == len(measures)
    for m in measures:
        assert date.fromisoformat(m["start_date"]).year == m["year"]
        assert not m["end_date"] or m["end_date"] >= m["start_date"]
        assert not m["amount_yuan"] or float(m["amount_yuan"]) >= 0


def test_income_parts_never_exceed_transfer_income(mixed) -> None:
    landing, _ = mixed
    parts = ["transfer_dibao", "transfer_tekun", "transfer_pension", "transfer_eco"]
    for row in read_source(landing, "income"):
        amounts = {
            k: float(v) if v else 0.0
            for k, v in row.items()
            if k not in ("year", "county", "household_id")
        }
        assert all(v >= 0 for v in amounts.values())
        assert sum(amounts.get(p, 0.0) for p in parts) <= amounts["transfer_income"] + 1e-9


def _share(numerator: float, denominator: float) -> float:
    return numerator / denominator


def test_calibration_shares_on_a_five_thousand_household_sample(sample: Path) -> None:
    households = read_source(sample, "households")
    episodes = read_source(sample, "monitoring")
    income = read_source(sample, "income")
    distinct = {h["household_id"] for h in households}
    monitored = {e["household_id"] for e in episodes}
    assert 0.09 <= _share(len(monitored), len(distinct)) <= 0.13
    eliminated = sum(1 for e in episodes if e["eliminated_date"])
    assert 0.59 <= _share(eliminated, len(episodes)) <= 0.71
    wage = sum(float(r["wage_income"]) for r in income)
    net = sum(
        float(r["wage_income"]) + float(r["operating_income"]) - float(r["operating_expense"])
        + float(r["property_income"]) + float(r["transfer_income"])
        for r in income
    )  # fmt: skip
    assert 0.66 <= _share(wage, net) <= 0.76
    alleviated = sum(1 for h in households if h["is_alleviated"] == "是")
    assert 0.8 <= _share(alleviated, len(households)) <= 0.9
    lags = [
        (date.fromisoformat(e["identified_date"]) - date.fromisoformat(e["risk_found_date"])).days
        for e in episodes
    ]
    late = sum(1 for lag in lags if lag > 15)
    assert 0.04 <= _share(late, len(episodes)) <= 0.13


def test_per_capita_income_level_and_growth(sample: Path) -> None:
    sizes = {
        (h["year"], h["household_id"]): int(h["household_size"])
        for h in read_source(sample, "households")
    }
    per_capita: dict[tuple[int, str], float] = {}
    for r in read_source(sample, "income"):
        key = (r["year"], r["household_id"])
        per_capita[key] = float(r["reported_per_capita"]) if r.get("reported_per_capita") else (
            float(r["wage_income"]) + float(r["operating_income"]) - float(r["operating_expense"])
            + float(r["property_income"]) + float(r["transfer_income"])
        ) / sizes[key]  # fmt: skip
    values_2022 = sorted(v for (y, _), v in per_capita.items() if y == 2022)
    median = values_2022[len(values_2022) // 2]
    assert 11_000 <= median <= 17_000
    below = sum(1 for v in values_2022 if v < 7000)
    assert 0.003 <= _share(below, len(values_2022)) <= 0.06
    pairs = [
        (per_capita[(2022, h)], v)
        for (y, h), v in per_capita.items()
        if y == 2023 and (2022, h) in per_capita
    ]
    decreases = sum(1 for before, after in pairs if after < before)
    assert 0.06 <= _share(decreases, len(pairs)) <= 0.2


def test_measure_types_follow_the_published_shares(sample: Path) -> None:
    monitored = {e["household_id"] for e in read_source(sample, "monitoring")}
    types: dict[str, set[str]] = {}
    for m in read_source(sample, "measures"):
        types.setdefault(m["measure_type"], set()).add(m["household_id"])
    share = {t: _share(len(h), len(monitored)) for t, h in types.items()}
    assert share["综合保障"] == pytest.approx(0.93, abs=0.05)
    assert share["健康帮扶"] == pytest.approx(0.482, abs=0.07)
    assert share["就业帮扶"] == pytest.approx(0.303, abs=0.07)
    without = monitored - set().union(*types.values())
    assert 0.0 < _share(len(without), len(monitored)) < 0.05


def test_injected_errors_are_counted_and_present(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    summary = generate(landing, households=400, seed=3, fmt="csv", error_rate=0.05)
    kinds = {"bad_id_checksum", "unknown_village", "negative_amount", "unknown_enum",
             "duplicate_key", "member_count_mismatch"}  # fmt: skip
    assert set(summary.errors) == kinds and all(n > 0 for n in summary.errors.values())
    members = read_source(landing, "members")
    households = read_source(landing, "households")
    assert any(not is_valid(m["id_number"]) for m in members)
    keys = Counter((h["year"], h["household_id"]) for h in households)
    assert any(n > 1 for n in keys.values())
    income = read_source(landing, "income")
    assert any(float(v) < 0 for r in income for k, v in r.items() if k.endswith("_income") and v)


def test_error_rate_zero_injects_nothing(mixed) -> None:
    _, summary = mixed
    assert summary.errors == {}


def test_a_province_has_about_120_counties_in_16_cities() -> None:
    geography = plan_geography(2_400_000, load_config(), _rng(42, 0))
    counties = geography.counties
    cities = {r[0] for r in geography.rows if r[2] == "city"}
    assert 110 <= len(counties) <= 130 and 14 <= len(cities) <= 18
    assert sum(c.households for c in counties) == 2_400_000
    sizes = [c.households / max(len(c.villages), 1) for c in counties]
    assert min(sizes) >= 150 and max(sizes) <= 400


def test_a_city_of_twenty_thousand_households_has_six_to_ten_counties() -> None:
    geography = plan_geography(20_000, load_config(), _rng(42, 0))
    assert 6 <= len(geography.counties) <= 10


def test_refuses_a_foreign_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(FileExistsError):
        generate(tmp_path, households=50)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_a_second_run_replaces_the_first(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate(landing, households=300, years=[2021, 2022, 2023], fmt="csv", error_rate=0)
    generate(landing, households=50, years=[2022], fmt="xlsx", error_rate=0)
    assert not (landing / "survey" / "2021").exists()
    assert not list(landing.rglob("*/2022/*/households.csv"))
