"""The generator's sector records (SPEC §3.6) and applications (§3.7): files, matching, and
the alerts the early-warning rules find in them, recomputed here from the ingested rows."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from ingestion.generator import GenerateSummary, generate
from ingestion.load import ingest_group

RUN_DATE = date(2026, 1, 31)
YEARS = [2021, 2022, 2023]
DEPARTMENTS = ["medical", "civil_affairs", "employment", "education", "housing", "emergency",
               "disability"]  # fmt: skip
SOURCES = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "ingestion" / "sources.yaml").read_text("utf-8")
)["sources"]
MONTH_FILE = re.compile(r"(\d{4})-(\d{2})\.csv")

# The rules of SPEC §3.6 with the seed's default thresholds, on the restricted store: one row
# per household, department and month whose first qualifying record is the alert, classified
# as the warehouse does (already monitored for the risk; else followed up within 15 days).
ALERTS_SQL = """
with reference as (
    select household_id, wage_income + operating_income - operating_expense + property_income
           + transfer_income as net, year + 1 as applies_from,
           lead(year) over (partition by household_id order by year) + 1 as applies_to
    from raw.income
),
medical_days as (
    select household_id, settlement_date as day, sum(self_pay) as self_pay
    from raw.sector_medical group by all
),
medical as (
    select d.household_id, d.day as record_date, sum(w.self_pay) as in_window
    from medical_days d join medical_days w on w.household_id = d.household_id
     and w.day <= d.day and w.day > d.day - 365
    group by all
),
workers as (
    select year, household_id, count(*) filter (where work_area <> '未务工') as n
    from raw.members group by all
),
qualifying as (
    select 'medical' as department, '因病' as risk, m.household_id, m.record_date
    from medical m left join reference r on r.household_id = m.household_id
     and r.applies_from <= year(m.record_date)
     and (r.applies_to is null or year(m.record_date) < r.applies_to)
    where m.in_window > 10000 or m.in_window > 0.5 * r.net
    union all
    select 'civil_affairs', '因意外事故', household_id, start_date from raw.sector_civil_affairs
    where assistance_type = '临时救助'
    union all
    select 'employment', '因务工就业不稳', e.household_id, e.change_date
    from raw.sector_employment e
    join raw.members m on m.year = e.match_survey_year and m.id_number = e.id_number
    join workers w on w.year = e.match_survey_year and w.household_id = e.household_id
    where e.employment_status in ('失业', '返乡') and m.work_area <> '未务工' and w.n = 1
    union all
    select 'education', '因学', household_id, change_date from raw.sector_education
    where enrolment_status = '失学辍学'
      and date_diff('year', strptime(substr(id_number, 7, 8), '%Y%m%d')::date, change_date)
          - (strftime(change_date, '%m%d') < substr(id_number, 11, 4))::int between 6 and 15
    union all
    select 'housing', '住房安全', household_id, assessed_date from raw.sector_housing
    where danger_grade in ('C', 'D')
    union all
    select 'emergency', '因灾', e.household_id, e.occurred_date
    from raw.sector_emergency e left join reference r on r.household_id = e.household_id
     and r.applies_from <= year(e.occurred_date)
     and (r.applies_to is null or year(e.occurred_date) < r.applies_to)
    where case when r.net is null then e.loss_yuan > 10000 else e.loss_yuan > 0.3 * r.net end
    union all
    select 'disability', '因残', household_id, issued_date from raw.sector_disability
    where disability_grade in ('一级', '二级')
),
alerts as (
    select department, risk, household_id, min(record_date) as alert_date
    from qualifying group by department, risk, household_id, strftime(record_date, '%Y-%m')
),
episodes as (
    select distinct household_id, risk_types, discovery_channel, risk_found_date,
           identified_date, eliminated_date
    from raw.monitoring_episodes
)
select a.department, a.household_id, a.alert_date,
       exists (select 1 from episodes e where e.household_id = a.household_id
               and e.identified_date <= a.alert_date
               and coalesce(e.eliminated_date, date '9999-12-31') > a.alert_date
               and contains(e.risk_types, a.risk)) as already_monitored,
       (select min(abs(date_diff('day', a.alert_date, e.risk_found_date))) from episodes e
        where e.household_id = a.household_id) as days_to_nearest_episode,
       (select arg_min(e.discovery_channel, abs(date_diff('day', a.alert_date, e.risk_found_date)))
        from episodes e where e.household_id = a.household_id) as nearest_channel
from alerts a
"""


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerateSummary, Path]:
    """A clean 3 000-household city, generated and ingested."""
    root = tmp_path_factory.mktemp("sector")
    landing = root / "landing"
    summary = generate(landing, households=3000, seed=8, years=YEARS, fmt="mixed", error_rate=0)
    db = root / "restricted.duckdb"
    for group in ("regions", "monitoring_lines", "survey", "monitoring_episodes", "sector",
                  "applications"):  # fmt: skip
        ingest_group(group, landing, db, RUN_DATE)
    return landing, summary, db


def alerts(db: Path) -> list[tuple]:
    """(department, household, alert date, already monitored, days to nearest episode,
    its channel) of every alert the rules find."""
    return query(db, ALERTS_SQL + " order by all")


def classified(db: Path) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for department, _, _, already, days, _ in alerts(db):
        kind = (
            "already_monitored"
            if already
            else "followed_up"
            if days is not None and days <= 15
            else "overdue"
        )
        counts = found.setdefault(department, dict.fromkeys(
            ["already_monitored", "followed_up", "overdue"], 0
        ))  # fmt: skip
        counts[kind] += 1
    return found


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(io.StringIO(raw.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise AssertionError(f"{path} is neither UTF-8 nor GB18030")


# -- files ---------------------------------------------------------------------------------


def test_each_department_writes_monthly_files_over_the_generated_years(generated) -> None:
    landing, summary, _ = generated
    for department in DEPARTMENTS:
        files = sorted((landing / "sector" / department).iterdir())
        months = {
            (int(y), int(m)) for y, m in (MONTH_FILE.fullmatch(f.name).groups() for f in files)
        }
        assert months <= {(y, m) for y in YEARS for m in range(1, 13)}
        # settlements every month; enrolment changes mostly in September
        assert len(months) == 36 if department == "medical" else len(months) >= 3, department
        assert sum(len(read_csv(f)) - 1 for f in files) == summary.sector_rows[department]
    assert len(list((landing / "applications").iterdir())) >= 30


def test_monthly_file_headers_are_known_aliases_of_their_source(generated) -> None:
    landing, _, _ = generated
    folders = [(f"sector_{d}", landing / "sector" / d) for d in DEPARTMENTS]
    for source, folder in [*folders, ("applications", landing / "applications")]:
        columns = SOURCES[source]["columns"]
        names = {a: code for code, spec in columns.items() for a in [code, *spec["aliases"]]}
        for path in folder.iterdir():
            header = read_csv(path)[0]
            assert [names[h] for h in header] == list(columns), path


def test_records_lie_in_or_before_the_month_of_their_file(generated) -> None:
    _, _, db = generated
    late = 0
    for department in DEPARTMENTS:
        date_column = next(
            c for c, spec in SOURCES[f"sector_{department}"]["columns"].items()
            if spec["type"] == "date"
        )  # fmt: skip
        after, before = query(
            db,
            f"select count(*) filter (where {date_column} >= record_month + interval 1 month), "
            f"count(*) filter (where {date_column} < record_month) from raw.sector_{department}",
        )[0]
        assert after == 0
        late += before
    assert late > 0


# -- matching and alerts ---------------------------------------------------------------------


def test_every_record_and_application_matches_a_household(generated) -> None:
    _, summary, db = generated
    assert summary.unmatched_records == 0
    assert query(
        db,
        "select count(*) from audit.quarantine where source like 'sector%' "
        "or source = 'applications'",
    ) == [(0,)]
    for department in DEPARTMENTS:
        loaded = query(db, f"select count(*) from raw.sector_{department}")[0][0]
        assert loaded == summary.sector_rows[department]
    assert query(db, "select count(*) from raw.applications") == [(summary.application_rows,)]


def test_the_rules_find_exactly_the_planted_alerts(generated) -> None:
    _, summary, db = generated
    assert classified(db) == summary.sector_alerts
    totals = {
        kind: sum(c[kind] for c in summary.sector_alerts.values())
        for kind in ("already_monitored", "followed_up", "overdue")
    }
    # most raised alerts are followed up, some are overdue
    assert totals["followed_up"] > 2 * totals["overdue"] > 0
    assert totals["already_monitored"] > 0
    for department in DEPARTMENTS:
        assert sum(summary.sector_alerts[department].values()) > 0, department


def test_followed_up_episodes_were_found_through_department_alerts(generated) -> None:
    _, _, db = generated
    followed = [
        channel
        for _, _, _, already, days, channel in alerts(db)
        if not already and days is not None and days <= 15
    ]
    assert followed and set(followed) == {"部门筛查预警"}


def test_an_alert_exactly_15_days_before_the_episode_is_followed_up_16_is_overdue(
    generated,
) -> None:
    _, _, db = generated
    days = [d for _, _, _, already, d, _ in alerts(db) if not already and d is not None]
    assert 15 in days and 16 in days


def test_medical_self_pay_crosses_both_thresholds_and_sits_on_their_edges(generated) -> None:
    _, _, db = generated
    sums = query(
        db,
        """
        with days as (
            select household_id, settlement_date as day, sum(self_pay) as self_pay
            from raw.sector_medical group by all
        ),
        windows as (
            select d.household_id, d.day, sum(w.self_pay) as in_window
            from days d join days w on w.household_id = d.household_id
             and w.day <= d.day and w.day > d.day - 365
            group by all
        ),
        reference as (
            select household_id, wage_income + operating_income - operating_expense
                   + property_income + transfer_income as net, year + 1 as applies_from,
                   lead(year) over (partition by household_id order by year) + 1 as applies_to
            from raw.income
        )
        select w.in_window, least(10000, coalesce(0.5 * r.net, 10000)) as threshold
        from windows w left join reference r on r.household_id = w.household_id
         and r.applies_from <= year(w.day)
         and (r.applies_to is null or year(w.day) < r.applies_to)
        """,
    )
    above = [(s, t) for s, t in sums if s > t]
    assert any(s > 10000 for s, _ in above)
    assert any(s <= 10000 for s, _ in above)  # half the reference income only
    assert any(s - t <= Decimal("0.01") for s, t in above)  # a cent over
    assert any(Decimal(0) <= t - s < Decimal("0.01") for s, t in sums)  # on it: no alert


def test_emergency_losses_pass_thirty_percent_of_the_reference_income(generated) -> None:
    _, _, db = generated
    ratios = query(
        db,
        """
        select e.loss_yuan / r.net from raw.sector_emergency e
        join (select household_id, year, wage_income + operating_income - operating_expense
                     + property_income + transfer_income as net from raw.income) r
          on r.household_id = e.household_id and r.year = year(e.occurred_date) - 1
        """,
    )
    assert any(r > 0.3 for (r,) in ratios) and sum(r <= 0.3 for (r,) in ratios) > len(ratios) / 2


# -- applications ----------------------------------------------------------------------------


def test_about_one_application_per_fifty_households_a_year_nearly_all_closed(generated) -> None:
    _, summary, db = generated
    household_years = query(db, "select count(*) from raw.households")[0][0]
    assert 0.014 <= summary.applications / household_years <= 0.026
    latest = """
        select * from raw.applications qualify row_number() over (
            partition by application_id order by record_month desc) = 1
    """
    applications, closed, relisted = query(
        db,
        f"select count(*), count(closed_date), "
        f"(select count(*) - count(distinct application_id) from raw.applications) "
        f"from ({latest})",
    )[0]
    assert applications == summary.applications
    assert closed / applications >= 0.985
    assert relisted > 0
    spans = query(db, f"select min(closed_date - applied_date), max(closed_date - applied_date) "
                      f"from ({latest}) where closed_date is not null")  # fmt: skip
    assert spans == [(3, 40)]


def test_applications_included_in_monitoring_precede_an_episode(generated) -> None:
    _, _, db = generated
    rows = query(
        db,
        """
        select a.application_id, min(e.risk_found_date - a.applied_date)
        from raw.applications a
        join raw.monitoring_episodes e
          on e.household_id = a.household_id and e.risk_found_date >= a.applied_date
        where a.outcome = '纳入监测'
        group by a.application_id
        """,
    )
    assert rows and all(days is not None and days <= 10 for _, days in rows)


# -- unmatched records ----------------------------------------------------------------------


def test_unmatched_records_are_injected_at_the_error_rate(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    summary = generate(landing, households=600, seed=4, years=YEARS, fmt="csv", error_rate=0.02)
    assert summary.unmatched_records > 0
    db = tmp_path / "restricted.duckdb"
    for group in ("regions", "survey", "sector", "applications"):
        ingest_group(group, landing, db, RUN_DATE)
    reasons = dict(
        query(
            db,
            "select reason_en, count(*) from audit.quarantine "
            "where source like 'sector%' or source = 'applications' group by all",
        )
    )
    assert set(reasons) <= {
        "ID number is not a member of any loaded survey up to the record's year",
        "household not among the loaded survey households of any year",
        "person not in any surveyed household",
    }
    # and the records of members whose household was quarantined
    assert sum(reasons.values()) >= summary.unmatched_records
