"""Write a landing area (SPEC §3) of a generated city or province, one county at a time."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ingestion.generator.applications import applications
from ingestion.generator.config import (
    Reference,
    SectorReference,
    load_config,
    load_reference,
    load_sector_reference,
)
from ingestion.generator.episodes import Context, monitoring_episodes
from ingestion.generator.errors import inject, unmatch
from ingestion.generator.income import draw_shocks, household_income, unsafe_flags
from ingestion.generator.measures import assistance_measures
from ingestion.generator.population import build_panel, household_years, member_years
from ingestion.generator.regions import REGION_HEADER, County, monitoring_lines, plan_geography
from ingestion.generator.sector import (
    DEPARTMENTS,
    Records,
    alert_counts,
    sector_context,
    sector_records,
)
from ingestion.generator.tables import (
    COLUMNS,
    CountyData,
    assign_measure_ids,
    headers,
    kinds,
    measures_table,
    monitoring_table,
    optional_columns,
    survey_tables,
)
from ingestion.generator.util import date, days, pick, year_start
from ingestion.generator.writers import (
    append_csv,
    csv_column,
    write_csv,
    write_xlsx,
    xlsx_column,
)

Format = Literal["csv", "xlsx", "mixed"]
# independent random streams, so that e.g. the error rate never changes the clean data
_GEOGRAPHY, _COUNTY, _STYLE, _ERRORS, _SECTOR, _SECTOR_FILES = range(6)
MONTHLY_SOURCES = [f"sector_{d}" for d in DEPARTMENTS] + ["applications"]
_SHEETS = {
    "households": "户信息",
    "members": "成员信息",
    "income": "收入信息",
    "monitoring": "监测对象台账",
    "measures": "帮扶措施台账",
}


@dataclass
class GenerateSummary:
    """What a generate run wrote; also saved as <landing>.manifest.json beside the landing dir.

    Counts are of the clean data; injected bad rows of the survey and ledgers are counted by
    kind in `errors`, sector records and applications made to match no household (at the same
    rate) in `unmatched_records`. `sector_alerts` counts, per department, the alerts the
    warehouse should find (one per household, department and month): already_monitored,
    followed_up (raised, an episode found within the follow-up window) and overdue (raised,
    none).
    """

    households: int = 0  # distinct households over all years
    household_rows: int = 0  # household × survey year
    members: int = 0  # distinct persons
    member_rows: int = 0
    episodes: int = 0
    monitored_households: int = 0
    eliminated_episodes: int = 0
    measures: int = 0
    sector_rows: dict[str, int] = field(default_factory=dict)
    sector_alerts: dict[str, dict[str, int]] = field(default_factory=dict)
    applications: int = 0
    application_rows: int = 0
    unmatched_records: int = 0
    counties: int = 0
    villages: int = 0
    files: int = 0
    bytes: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    seed: int = 42
    years: list[int] = field(default_factory=list)
    format: str = "mixed"
    error_rate: float = 0.0

    def __str__(self) -> str:
        errors = ", ".join(f"{k} {v}" for k, v in self.errors.items()) or "none"
        alerts = ", ".join(
            f"{kind} {sum(c.get(kind, 0) for c in self.sector_alerts.values())}"
            for kind in ("already_monitored", "followed_up", "overdue")
        )
        return (
            f"{self.households} households ({self.household_rows} household-years), "
            f"{self.members} members, {self.episodes} monitoring episodes of "
            f"{self.monitored_households} households ({self.eliminated_episodes} eliminated), "
            f"{self.measures} measures in {self.counties} counties / {self.villages} villages; "
            f"{sum(self.sector_rows.values())} sector records ({alerts} alerts), "
            f"{self.applications} applications; "
            f"{self.files} files, {self.bytes / 1e6:.1f} MB; injected errors: {errors}, "
            f"unmatched sector records and applications {self.unmatched_records}"
        )


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def simulate_county(
    county: County,
    years: list[int],
    lines: dict[int, int],
    cfg: dict[str, Any],
    ref: Reference,
    seed: int,
    sector_ref: SectorReference | None = None,
) -> CountyData:
    """Households, members, incomes, episodes, measures, sector records and applications of
    one county over all years."""
    rng = _rng(seed, _COUNTY, county.index)
    panel = build_panel(rng, county, years, cfg)
    shocks = draw_shocks(rng, panel, cfg)
    my = member_years(rng, panel, shocks.kind, shocks.names, cfg)
    hy = household_years(panel, my)
    present = panel.present()
    hc = cfg["household"]
    housing = unsafe_flags(
        rng, present, hc["housing_unsafe_rate"], hc["unsafe_persistence"], panel.relocated
    )
    water = unsafe_flags(
        rng,
        present,
        hc["water_unsafe_rate"],
        hc["unsafe_persistence"],
        np.zeros(len(present), dtype=bool),
    )
    line = np.array([lines[y] for y in years], dtype=np.int64)
    income = household_income(rng, panel, hy, shocks, line, county.key_level != "none", cfg)
    size = np.maximum(hy.size, 1)
    window_end = date(years[-1], 12, 31)
    ctx = Context(
        panel=panel,
        hy=hy,
        below_line=present & (income.net < line[None, :] * 100 * size),
        low_income=present & (income.net < 1.5 * line[None, :] * 100 * size),
        guarantees_ok=~housing & ~water & hy.education_ok & hy.medical_ok,
        housing_unsafe=housing,
        water_unsafe=water,
        window_end=window_end,
    )
    episodes = monitoring_episodes(rng, ctx, shocks, ref, cfg)
    measures = assistance_measures(rng, episodes, ref, cfg, window_end)
    measures, ids = assign_measure_ids(county.code, panel, measures)
    # 采集日期: a county campaign from November to the following March
    campaign = year_start(np.array(years) + 1) - days(np.full(len(years), 61))
    campaign = campaign + days(rng.integers(0, 31, len(years)))
    survey = campaign[None, :] + days(rng.integers(0, 100, present.shape))
    survey = np.minimum(survey, year_start(np.array(years) + 1) + days(np.full(len(years), 89)))
    data = CountyData(
        county.code, panel, my, hy, income, housing, water, survey, episodes, measures, ids
    )
    sector_ctx = sector_context(
        panel,
        my,
        hy,
        income.net,
        income.tekun,
        housing,
        episodes,
        measures,
        ref,
        sector_ref or load_sector_reference(),
        window_end,
    )
    sector_rng = _rng(seed, _SECTOR, county.index)
    # departments first: an episode their alert led to is found through 部门筛查预警
    data.sector = sector_records(sector_rng, sector_ctx, cfg)
    data.applications = applications(sector_rng, sector_ctx, county.code, cfg)
    return data


def _prepare(out_dir: Path, manifest: Path) -> None:
    """Remove the files of an earlier run; refuse to write into a foreign non-empty directory."""
    if manifest.exists():
        for name in json.loads(manifest.read_text(encoding="utf-8")).get("paths", []):
            (out_dir / name).unlink(missing_ok=True)
        if out_dir.exists():
            for folder in sorted((p for p in out_dir.rglob("*") if p.is_dir()), reverse=True):
                if not any(folder.iterdir()):
                    folder.rmdir()
        manifest.unlink()
    elif out_dir.exists() and any(out_dir.iterdir()):
        raise FileExistsError(
            f"{out_dir} is not empty and has no {manifest.name} from an earlier generate run; "
            "choose an empty or new directory"
        )
    out_dir.mkdir(parents=True, exist_ok=True)


class _Writer:
    """Writes one county's files in its style and keeps the run's tallies."""

    def __init__(
        self,
        out_dir: Path,
        fmt: Format,
        cfg: dict[str, Any],
        ref: Reference,
        seed: int,
        error_rate: float,
    ) -> None:
        self.out_dir, self.fmt, self.cfg, self.ref = out_dir, fmt, cfg, ref
        self.seed, self.error_rate = seed, error_rate
        self.files: list[str] = []
        self.bytes = 0
        self.errors: Counter = Counter()
        self.unmatched = 0
        self.last_month = np.datetime64("NaT", "M")
        # monthly files are the province's, one per department and month: each source keeps
        # one header style and encoding, and every county appends its rows
        sc, fc = cfg["sector"], cfg["files"]
        style_rng = _rng(seed, _STYLE, 1 << 20)
        self.monthly_style: dict[str, tuple[list[str], str]] = {}
        for i, source in enumerate(MONTHLY_SOURCES):
            style = list(sc["header_styles"])[int(pick(style_rng, sc["header_styles"], 1)[0])]
            names = [code for code, _, _ in COLUMNS[source]]
            encodings = fc["csv_encodings"]
            encoding = encodings[i % len(encodings)] if fmt == "mixed" else "utf-8"
            self.monthly_style[source] = (headers(source, style, "", names), encoding)
        self._monthly_files: set[str] = set()

    def county(self, county: County, data: CountyData, years: list[int]) -> None:
        fc = self.cfg["files"]
        style_rng = _rng(self.seed, _STYLE, county.index)
        error_rng = _rng(self.seed, _ERRORS, county.index)
        as_xlsx = self.fmt == "xlsx" or (self.fmt == "mixed" and county.index % 2 == 0)
        county_style = {
            "reported_totals": bool(style_rng.random() < fc["reported_totals_share"]),
            "blank_zero": bool(style_rng.random() < fc["blank_zero_parts_share"]),
        }
        ledger_years = sorted(
            set(years)
            | set((data.episodes.found.astype("datetime64[Y]").astype(np.int64) + 1970).tolist())
            | set((data.measures.start.astype("datetime64[Y]").astype(np.int64) + 1970).tolist())
        )
        for year in ledger_years:
            t = years.index(year) if year in years else None
            encoding = "utf-8"
            if self.fmt == "mixed":
                encoding = fc["csv_encodings"][
                    (county.index // 2 + year) % len(fc["csv_encodings"])
                ]
            long_name = bool(style_rng.random() < fc["twelve_digit_name_share"])
            name = county.code.ljust(12, "0") if long_name else county.code
            separator = list(fc["risk_separators"])[
                int(pick(style_rng, fc["risk_separators"], 1)[0])
            ]
            tables = survey_tables(data, t) if t is not None else {}
            tables["monitoring"] = monitoring_table(data, year, self.ref, separator)
            tables["measures"] = measures_table(data, year, self.ref)
            prepared = {}
            for source, table in tables.items():
                table, counts = inject(
                    error_rng, source, table, self.error_rate, county.code, self.cfg["errors"]
                )
                self.errors.update(counts)
                style = list(fc["header_styles"])[int(pick(style_rng, fc["header_styles"], 1)[0])]
                prepared[source] = (table, style)
            if t is not None:
                survey = ["households", "members", "income"]
                if as_xlsx:
                    self._xlsx(f"survey/{year}/{name}.xlsx", survey, prepared, county_style)
                else:
                    for source in survey:
                        self._csv(
                            f"survey/{year}/{name}/{source}.csv",
                            source,
                            prepared,
                            county_style,
                            encoding,
                        )
            for source in ("monitoring", "measures"):
                if as_xlsx:
                    self._xlsx(f"{source}/{year}/{name}.xlsx", [source], prepared, county_style)
                else:
                    self._csv(
                        f"{source}/{year}/{name}.csv", source, prepared, county_style, encoding
                    )

    def monthly(self, county: County, data: CountyData) -> None:
        """Append the county's sector records and applications to the monthly files."""
        sc = self.cfg["sector"]
        late_rng = _rng(self.seed, _SECTOR_FILES, county.index)
        error_rng = _rng(self.seed, _ERRORS, county.index, 1)
        parts: list[tuple[str, str, Records, bool]] = [
            (f"sector/{d}", f"sector_{d}", records, True) for d, records in data.sector.items()
        ]
        if data.applications is not None:
            parts.append(("applications", "applications", data.applications, False))
        for folder, source, records, pushed in parts:
            if not len(records):
                continue
            month = records.date.astype("datetime64[M]")
            if pushed:
                # departments push some records in a later month's file
                late = late_rng.random(len(month)) < sc["late_push_share"]
                lo, hi = sc["late_push_months"]
                shift = late_rng.integers(lo, hi + 1, len(month)).astype("timedelta64[M]")
                month = np.minimum(np.where(late, month + shift, month), self.last_month)
            order = np.argsort(month, kind="stable")
            names = [code for code, _, _ in COLUMNS[source]]
            table = {c: records.columns[c][order] for c in names}
            table, n = unmatch(
                error_rng,
                table,
                self.error_rate,
                county.code,
                data.panel.id_number,
                data.panel.household_id,
            )
            self.unmatched += n
            kind = kinds(source)
            columns = [csv_column(table[c], kind[c]) for c in names]
            header, encoding = self.monthly_style[source]
            months, starts = np.unique(month[order], return_index=True)
            ends = np.r_[starts[1:], len(order)]
            for m, a, b in zip(months, starts, ends, strict=True):
                relative = f"{folder}/{np.datetime_as_string(m, unit='M')}.csv"
                chunk = [column[a:b] for column in columns]
                self.bytes += append_csv(self.out_dir / relative, header, chunk, encoding)
                if relative not in self._monthly_files:
                    self._monthly_files.add(relative)
                    self.files.append(relative)

    def _columns(self, source: str, prepared, county_style, convert):
        table, style = prepared[source]
        names = optional_columns(source, county_style)
        kind = kinds(source)
        blank = county_style["blank_zero"]
        header = headers(source, style, self.cfg["files"]["unit_suffix"], names)
        columns = [
            convert(
                table[c], kind[c], blank and c.startswith("transfer_") and c != "transfer_income"
            )
            for c in names
        ]
        return header, columns

    def _csv(self, relative: str, source: str, prepared, county_style, encoding: str) -> None:
        header, columns = self._columns(source, prepared, county_style, csv_column)
        self.bytes += write_csv(self.out_dir / relative, header, columns, encoding)
        self.files.append(relative)

    def _xlsx(self, relative: str, sources: list[str], prepared, county_style) -> None:
        sheets = []
        for source in sources:
            header, columns = self._columns(source, prepared, county_style, xlsx_column)
            sheets.append((_SHEETS[source], header, columns))
        self.bytes += write_xlsx(self.out_dir / relative, sheets)
        self.files.append(relative)


def generate(
    out_dir: Path,
    households: int,
    seed: int = 42,
    years: Sequence[int] = (2021, 2022, 2023),
    fmt: Literal["csv", "xlsx", "mixed"] = "mixed",
    error_rate: float = 0.002,
) -> GenerateSummary:
    """Write a deterministic landing area of about `households` households per survey year."""
    if int(households) < 1:
        raise ValueError(f"households must be at least 1, got {households}")
    if fmt not in ("csv", "xlsx", "mixed"):
        raise ValueError(f"fmt must be csv, xlsx or mixed, got {fmt!r}")
    if not 0 <= error_rate < 1:
        raise ValueError(f"error_rate must be in [0, 1), got {error_rate}")
    years = sorted({int(y) for y in years})
    if not years:
        raise ValueError("years must name at least one survey year")
    out_dir = Path(out_dir).resolve()
    manifest = out_dir.parent / f"{out_dir.name}.manifest.json"
    _prepare(out_dir, manifest)
    ref = load_reference()
    cfg = load_config(reference=ref)
    geography = plan_geography(int(households), cfg, _rng(seed, _GEOGRAPHY))
    lines = monitoring_lines(years, cfg)
    writer = _Writer(out_dir, fmt, cfg, ref, seed, error_rate)
    writer.last_month = np.datetime64(f"{years[-1]}-12", "M")
    sector_ref = load_sector_reference()
    writer.bytes += write_csv(
        out_dir / "reference/regions.csv",
        list(REGION_HEADER),
        [list(c) for c in zip(*geography.rows, strict=True)],
    )
    province = cfg["province"]["code"]
    writer.bytes += write_csv(
        out_dir / "reference/monitoring_lines.csv",
        ["province_code", "year", "line_yuan"],
        [[province] * len(years), [str(y) for y in years], [f"{lines[y]}.00" for y in years]],
    )
    writer.files += ["reference/regions.csv", "reference/monitoring_lines.csv"]

    summary = GenerateSummary(seed=seed, years=years, format=fmt, error_rate=error_rate)
    for county in geography.counties:
        data = simulate_county(county, years, lines, cfg, ref, seed, sector_ref)
        writer.county(county, data, years)
        writer.monthly(county, data)
        for department, records in data.sector.items():
            summary.sector_rows[department] = summary.sector_rows.get(department, 0) + len(records)
            found = summary.sector_alerts.setdefault(department, {})
            for kind, n in alert_counts(records).items():
                found[kind] = found.get(kind, 0) + n
        if data.applications is not None:
            summary.application_rows += len(data.applications)
            summary.applications += len(np.unique(data.applications.columns["application_id"]))
        summary.households += len(data.panel.household_id)
        summary.household_rows += int(data.panel.present().sum())
        summary.members += len(data.panel.m_household)
        summary.member_rows += int(data.my.present.sum())
        summary.episodes += len(data.episodes.household)
        summary.monitored_households += len(np.unique(data.episodes.household))
        summary.eliminated_episodes += int((~np.isnat(data.episodes.eliminated)).sum())
        summary.measures += len(data.measures.household)
        summary.villages += len(county.villages)
    summary.counties = len(geography.counties)
    summary.files = len(writer.files)
    summary.bytes = writer.bytes
    summary.errors = dict(sorted(writer.errors.items()))
    summary.unmatched_records = writer.unmatched
    record = {**asdict(summary), "paths": writer.files}
    manifest.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary
