"""Sector records (行业部门数据, SPEC §3.6) of one county, consistent with its households.

A department's records are background records that make its early-warning rule true for no
one, and records that do: during an episode listing the department's risk type (already
monitored), shortly before an episode is found (followed up, C4), or for a household that no
episode covers (raised and overdue). Medical, emergency and education records also sit on the
edges of the rules (a cent or a day either side of a threshold). The thresholds are the dbt
seed's (rule_thresholds.csv), so the warehouse finds exactly the alerts planted here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ingestion.generator.config import Reference, SectorReference
from ingestion.generator.episodes import Episodes
from ingestion.generator.measures import Measures
from ingestion.generator.population import (
    DROPOUT,
    HEAD,
    HEALTH,
    HouseholdYears,
    MemberYears,
    Panel,
)
from ingestion.generator.util import DAY, days, first_per_group, pick, uniform_dates, year_start

QUIET, ALREADY_MONITORED, FOLLOWED_UP, OVERDUE = range(4)
CATEGORIES = ("quiet", "already_monitored", "followed_up", "overdue")
ALERT_CHANNEL = "部门筛查预警"
NAT = np.datetime64("NaT", "D")
CENT = 100  # cents per yuan

Columns = dict[str, np.ndarray]
# (households, dates) → (record possible, member index or -1)
Chooser = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass
class Records:
    """One department's records: the file's columns, with each record's own date, household
    index and what the department's rule makes of it (QUIET … OVERDUE)."""

    columns: Columns
    date: np.ndarray
    household: np.ndarray
    category: np.ndarray

    def __len__(self) -> int:
        return len(self.date)

    def take(self, rows: np.ndarray) -> Records:
        return Records(
            {k: v[rows] for k, v in self.columns.items()},
            self.date[rows],
            self.household[rows],
            self.category[rows],
        )

    @staticmethod
    def concat(parts: list[Records]) -> Records:
        names = parts[0].columns
        return Records(
            {k: np.concatenate([p.columns[k] for p in parts]) for k in names},
            np.concatenate([p.date for p in parts]),
            np.concatenate([p.household for p in parts]),
            np.concatenate([p.category for p in parts]),
        )


@dataclass
class SectorContext:
    """What the departments read about the county, and the rule thresholds."""

    panel: Panel
    my: MemberYears
    hy: HouseholdYears
    net: np.ndarray  # cents (households, years)
    tekun: np.ndarray  # cents (households, years)
    housing_unsafe: np.ndarray
    episodes: Episodes
    measures: Measures
    ref: Reference
    sector: SectorReference
    start: np.datetime64
    end: np.datetime64
    m_start: np.ndarray  # first member of each household (members are in household order)
    m_count: np.ndarray
    monitored: np.ndarray  # household has an episode

    def threshold(self, name: str) -> float:
        return self.sector.thresholds[name]

    def survey_index(self, dates: np.ndarray) -> np.ndarray:
        """Index of the latest survey year up to each date's year, -1 before the first."""
        return np.searchsorted(self.panel.years, _year(dates), side="right") - 1

    def reference_cents(self, h: np.ndarray, dates: np.ndarray) -> np.ndarray:
        """Net income (cents) of the household's latest survey of a year before the date's
        year (SPEC §3.6 reference income); NaN without one."""
        t = np.searchsorted(self.panel.years, _year(dates), side="left") - 1
        t = np.minimum(t, self.panel.last[h])
        found = t >= self.panel.first[h]
        net = self.net[h, np.clip(t, 0, None)].astype(float)
        return np.where(found, net, np.nan)

    def matchable(self, m: np.ndarray, dates: np.ndarray) -> np.ndarray:
        """The member is listed in the survey of the date's year (so ingestion matches it)."""
        t = self.survey_index(dates)
        return (t >= 0) & self.my.present[m, np.clip(t, 0, None)]


def sector_context(
    panel: Panel,
    my: MemberYears,
    hy: HouseholdYears,
    net: np.ndarray,
    tekun: np.ndarray,
    housing_unsafe: np.ndarray,
    episodes: Episodes,
    measures: Measures,
    ref: Reference,
    sector: SectorReference,
    window_end: np.datetime64,
) -> SectorContext:
    """The context of one county's departments."""
    n = len(panel.household_id)
    monitored = np.zeros(n, dtype=bool)
    monitored[episodes.household] = True
    return SectorContext(
        panel=panel,
        my=my,
        hy=hy,
        net=net,
        tekun=tekun,
        housing_unsafe=housing_unsafe,
        episodes=episodes,
        measures=measures,
        ref=ref,
        sector=sector,
        start=year_start(panel.years[:1])[0],
        end=window_end,
        m_start=np.searchsorted(panel.m_household, np.arange(n)),
        m_count=np.bincount(panel.m_household, minlength=n),
        monitored=monitored,
    )


# -- small helpers ---------------------------------------------------------------------------


def _year(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[Y]").astype(np.int64) + 1970


def _in_year(rng: np.random.Generator, ctx: SectorContext, t: np.ndarray) -> np.ndarray:
    """A uniform date of survey year index t, up to the window's end."""
    lo = year_start(ctx.panel.years[t])
    hi = np.minimum(year_start(ctx.panel.years[t] + 1) - DAY, ctx.end)
    return uniform_dates(rng, lo, hi)


def _age_on(birth: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Age in completed years on each date (the birthday counts)."""
    by, dy = _year(birth), _year(dates)
    bm, dm = birth.astype("datetime64[M]"), dates.astype("datetime64[M]")
    bmonth, dmonth = bm.astype(np.int64) % 12, dm.astype(np.int64) % 12
    bday, dday = (birth - bm) // DAY, (dates - dm) // DAY
    before = (dmonth < bmonth) | ((dmonth == bmonth) & (dday < bday))
    return dy - by - before


def _yuan(rng: np.random.Generator, bounds: list[float], n: int, step: int = 10) -> np.ndarray:
    """Whole amounts in cents, uniform between bounds (yuan), rounded to `step` yuan."""
    return (np.rint(rng.uniform(bounds[0], bounds[1], n) / step) * step * CENT).astype(np.int64)


def _labels(rng: np.random.Generator, shares: dict[str, float], n: int) -> np.ndarray:
    return np.array(list(shares))[pick(rng, shares, n)]


def _members_of(ctx: SectorContext, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, member) of every member of each row's household."""
    count = ctx.m_count[h]
    row = np.repeat(np.arange(len(h)), count)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    return row, ctx.m_start[h][row] + offset


def choose_member(
    rng: np.random.Generator,
    ctx: SectorContext,
    h: np.ndarray,
    dates: np.ndarray,
    weight: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """A member of each household listed in the survey of the date's year, drawn by
    `weight(member, survey index, date)` (0 = never); (found, member or -1)."""
    if not len(h):
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
    row, m = _members_of(ctx, h)
    t = np.clip(ctx.survey_index(dates)[row], 0, None)
    w = np.where(ctx.matchable(m, dates[row]), weight(m, t, dates[row]), 0.0)
    with np.errstate(divide="ignore"):
        key = -(np.log(w) + rng.gumbel(size=len(w)))
    first = np.full(len(h), -1, dtype=np.int64)
    best = first_per_group(row, key, w > 0)
    first[: len(best)] = best
    member = np.where(first >= 0, m[np.clip(first, 0, None)], -1)
    return member >= 0, member


def _household_chooser(ctx: SectorContext) -> Chooser:
    """Household-keyed departments: any household surveyed up to the date's year."""

    def choose(h: np.ndarray, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = ctx.survey_index(dates)
        return (t >= ctx.panel.first[h]), np.full(len(h), -1, dtype=np.int64)

    return choose


# -- records that make a rule true ------------------------------------------------------------


@dataclass
class Events:
    """Dates on which a department's record is made for a household (and member)."""

    household: np.ndarray
    date: np.ndarray
    member: np.ndarray
    category: np.ndarray
    edge: np.ndarray  # on a threshold's edge (amounts chosen by the department)

    def __len__(self) -> int:
        return len(self.date)

    def take(self, rows: np.ndarray) -> Events:
        return Events(
            self.household[rows],
            self.date[rows],
            self.member[rows],
            self.category[rows],
            self.edge[rows],
        )

    @staticmethod
    def concat(parts: list[Events]) -> Events:
        return Events(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("household", "date", "member", "category", "edge")
            )
        )

    @staticmethod
    def of(h, date, member, category: int, edge: bool = False) -> Events:
        n = len(h)
        return Events(
            h, date, member, np.full(n, category, dtype=np.int64), np.full(n, edge, dtype=bool)
        )


def _episode_events(
    rng: np.random.Generator, ctx: SectorContext, risk: str, choose: Chooser, sc: dict[str, Any]
) -> tuple[Events, int]:
    """Records before episodes listing `risk` are found (followed up, or one day too early:
    overdue) and during them (already monitored); the number of followed-up records."""
    ep = ctx.episodes
    rows = np.flatnonzero(ep.risk[:, ctx.ref.risk_index(risk)])
    same = np.r_[False, ep.household[1:] == ep.household[:-1]]
    previous_end = np.where(same, np.r_[NAT, ep.eliminated[:-1]], NAT)
    followup = int(ctx.threshold("alert_followup_days"))

    share = np.where(
        ep.channel[rows] == ALERT_CHANNEL, sc["followed_up_share"], sc["followed_up_other_share"]
    )
    f = rows[rng.random(len(rows)) < share]
    lo, hi = sc["lead_days"]
    lead = rng.integers(lo, hi + 1, len(f))
    at_limit, past_limit = sc["lead_edge_shares"]
    u = rng.random(len(f))
    lead = np.where(u < at_limit, followup, np.where(u < at_limit + past_limit, followup + 1, lead))
    date = ep.found[f] - days(lead)
    ok = (date >= ctx.start) & (np.isnat(previous_end[f]) | (date > previous_end[f]))
    found, member = choose(ep.household[f], date)
    ok &= found
    f, date, member, lead = f[ok], date[ok], member[ok], lead[ok]
    category = np.where(lead <= followup, FOLLOWED_UP, OVERDUE)
    # the episode was found through the department's alert
    ep.channel[f[category == FOLLOWED_UP]] = ALERT_CHANNEL
    before = Events(ep.household[f], date, member, category, np.zeros(len(f), dtype=bool))

    a = rows[rng.random(len(rows)) < sc["already_monitored_share"]]
    last = np.where(np.isnat(ep.eliminated[a]), ctx.end, ep.eliminated[a] - DAY)
    last = np.minimum(last, ctx.end)
    a, last = a[ep.identified[a] <= last], last[ep.identified[a] <= last]
    date = uniform_dates(rng, ep.identified[a], last)
    found, member = choose(ep.household[a], date)
    during = Events.of(ep.household[a][found], date[found], member[found], ALREADY_MONITORED)
    return Events.concat([before, during]), int((category == FOLLOWED_UP).sum())


def _unmonitored(
    rng: np.random.Generator,
    ctx: SectorContext,
    n: int,
    choose: Chooser,
    margin: int,
    exclude: np.ndarray | None = None,
) -> Events:
    """Up to n records for households no episode covers (less `exclude`), on dates that leave
    `margin` days to be overdue before the window ends."""
    free = ~ctx.monitored
    if exclude is not None:
        free[exclude] = False
    pool = np.flatnonzero(free)
    if not n or not len(pool):
        none = np.zeros(0, dtype=np.int64)
        return Events.of(none, np.zeros(0, dtype="datetime64[D]"), none, OVERDUE)
    draws = 6 * n
    h = pool[rng.integers(0, len(pool), draws)]
    last = np.full(draws, ctx.end - days(np.array(margin)))
    date = uniform_dates(rng, np.full(draws, ctx.start), last)
    found, member = choose(h, date)
    rows = np.flatnonzero(found)[:n]
    return Events.of(h[rows], date[rows], member[rows], OVERDUE)


def _from_pool(
    rng: np.random.Generator,
    h: np.ndarray,
    date: np.ndarray,
    member: np.ndarray,
    n: int,
    category: int,
) -> Events:
    """n of the given candidates, without repeats, in random order."""
    rows = rng.permutation(len(h))[:n]
    return Events.of(h[rows], date[rows], member[rows], category)


def alert_events(
    rng: np.random.Generator,
    ctx: SectorContext,
    department: str,
    choose: Chooser,
    sc: dict[str, Any],
    overdue: Callable[[int], Events] | None = None,
) -> Events:
    """Every record of a department that makes its rule true."""
    risk = ctx.sector.risk_of_department[department]
    events, followed = _episode_events(rng, ctx, risk, choose, sc)
    n = int(rng.binomial(followed, min(1.0, sc["overdue_per_followed_up"])))
    if overdue is None:
        extra = _unmonitored(rng, ctx, n, choose, sc["overdue_margin_days"])
    else:
        extra = overdue(n)
    return Events.concat([events, extra])


# -- the departments --------------------------------------------------------------------------


def _records(
    columns: Columns, date: np.ndarray, household: np.ndarray, category: np.ndarray
) -> Records:
    return Records(columns, date, household, np.asarray(category, dtype=np.int64))


def _person_weight(ctx: SectorContext, head: float):
    """Adults, the head of the household `head` times as likely, children rarely."""
    roles = ctx.panel.m_role

    def weight(m: np.ndarray, t: np.ndarray, dates: np.ndarray) -> np.ndarray:
        is_adult = ctx.my.age[m, t] >= 18
        return np.where(roles[m] == HEAD, head, np.where(is_adult, 1.0, 0.1))

    return weight


def medical(rng: np.random.Generator, ctx: SectorContext, sc: dict[str, Any]) -> Records:
    """医保 settlements: the household's self-pay over 365 days above 10 000 yuan or half its
    reference income raises 因病."""
    mc = sc["medical"]
    limit = ctx.threshold("medical_self_pay_yuan") * CENT
    share = ctx.threshold("medical_self_pay_income_share")
    window = int(ctx.threshold("medical_window_days"))
    health = ctx.my.health

    def weight(m, t, dates):
        return np.where(health[m, t] > 0, 4.0, 1.0)

    def choose(h, dates):
        return choose_member(rng, ctx, h, dates, weight)

    def threshold(h, dates):
        ref = ctx.reference_cents(h, dates)
        return np.where(np.isnan(ref), limit, np.minimum(limit, share * np.nan_to_num(ref)))

    alerts = alert_events(rng, ctx, "medical", choose, sc)
    overdue = np.flatnonzero(alerts.category == OVERDUE)
    edge_rows = overdue[rng.random(len(overdue)) < mc["edge_share"]]
    alerts.edge[edge_rows] = True
    n_quiet = int(round(len(edge_rows) * mc["quiet_edges_per_edge"]))
    quiet = _unmonitored(rng, ctx, n_quiet, choose, 0, exclude=alerts.household)
    quiet.category[:] = QUIET
    quiet.edge[:] = True

    # one settlement above the threshold; on the edge: a cent above it, or two settlements
    # 364 days apart that pass it together — and, raising nothing, one exactly on it, or two
    # 365 days apart (the window holds the last 365 days, the older one falls out)
    parts = []
    for events, alert in ((alerts, True), (quiet, False)):
        thr = threshold(events.household, events.date)
        pair = events.edge & (rng.random(len(events)) < 0.5)
        gap = window - 1 if alert else window
        first = events.date - days(np.full(len(events), gap))
        thr_first = threshold(events.household, first)
        first_ok, first_member = choose(events.household, first)
        pair &= first_ok & (first >= ctx.start) & (1.2 * np.minimum(thr, thr_first) > thr)
        over = np.floor(thr * rng.uniform(*mc["trigger_factor"], len(events)))
        edge_single = np.floor(thr) + (1 if alert else 0)
        paired = np.ceil(0.6 * np.minimum(thr, thr_first))
        self_pay = np.where(pair, paired, np.where(events.edge, edge_single, over))
        parts.append((events.member, events.date, self_pay, events.household, events.category))
        parts.append(
            (
                first_member[pair],
                first[pair],
                paired[pair],
                events.household[pair],
                np.full(int(pair.sum()), QUIET),
            )
        )
    member, date, self_pay, household, category = (
        np.concatenate([p[i] for p in parts]) for i in range(5)
    )
    self_pay = self_pay.astype(np.int64)
    total = np.ceil(self_pay / rng.uniform(0.35, 0.9, len(self_pay))).astype(np.int64)
    planted = Records(
        {"id_number": ctx.panel.id_number[member], "self_pay": self_pay, "total_cost": total},
        date,
        household,
        category,
    )

    # background: settlements by health, a household's yearly self-pay held well below its
    # lowest threshold, so that no 365 days of it pass one
    busy = np.zeros(len(ctx.panel.household_id), dtype=bool)
    busy[household] = True
    rates = np.array([mc["settlement_rates"][h] for h in HEALTH])
    present = ctx.my.present & ~busy[ctx.panel.m_household][:, None]
    count = np.where(present, rng.poisson(rates[health]), 0)
    m, t = np.nonzero(count)
    reps = count[m, t]
    m, t = np.repeat(m, reps), np.repeat(t, reps)
    hh = ctx.panel.m_household[m]
    cost = np.array([mc["total_cost"][h] for h in HEALTH], dtype=float)
    total = rng.lognormal(np.log(cost[health[m, t], 0]), cost[health[m, t], 1])
    pay = total * rng.uniform(*mc["self_pay_share"], len(m))
    net = np.where(ctx.panel.present(), ctx.net, np.iinfo(np.int64).max).min(axis=1)
    cap = mc["background_cap"] * np.minimum(limit, share * net) / CENT  # yuan
    key = hh * len(ctx.panel.years) + t
    spent = np.bincount(key, weights=pay, minlength=len(busy) * len(ctx.panel.years))
    scale = np.minimum(1.0, cap[hh] / np.maximum(spent[key], 1e-9))
    pay_cents = np.floor(pay * scale * CENT).astype(np.int64)
    total_cents = np.maximum(np.floor(total * scale * CENT).astype(np.int64), pay_cents)
    background = Records(
        {
            "id_number": ctx.panel.id_number[m],
            "self_pay": pay_cents,
            "total_cost": total_cents,
        },
        _in_year(rng, ctx, t),
        hh,
        np.full(len(m), QUIET),
    )
    records = Records.concat([planted, background])
    records.columns["settlement_date"] = records.date
    return records


def civil_affairs(rng: np.random.Generator, ctx: SectorContext, sc: dict[str, Any]) -> Records:
    """民政: 低保 and 特困 for households with a 综合保障 measure (no alert); 临时救助 raises
    因意外事故."""
    weight = _person_weight(ctx, head=6.0)

    def choose(h, dates):
        return choose_member(rng, ctx, h, dates, weight)

    alerts = alert_events(rng, ctx, "civil_affairs", choose, sc)
    temporary = _records(
        {
            "id_number": ctx.panel.id_number[alerts.member],
            "assistance_type": np.full(len(alerts), "临时救助"),
            "amount": _yuan(rng, sc["civil_affairs"]["temporary_amount"], len(alerts)),
        },
        alerts.date,
        alerts.household,
        alerts.category,
    )
    ms = ctx.measures
    rows = np.flatnonzero(ms.measure_type == ctx.ref.measure_index("综合保障"))
    h, start = ms.household[rows], ms.start[rows]
    heads = ctx.hy.head_member[h]
    ok = ctx.matchable(heads, start)
    h, start, heads, amount = h[ok], start[ok], heads[ok], ms.amount[rows][ok]
    t = np.clip(ctx.survey_index(start), 0, None)
    roster = _records(
        {
            "id_number": ctx.panel.id_number[heads],
            "assistance_type": np.where(ctx.tekun[h, t] > 0, "特困", "低保"),
            "amount": amount,
        },
        start,
        h,
        np.full(len(h), QUIET),
    )
    records = Records.concat([temporary, roster])
    records.columns["start_date"] = records.date
    return records


def employment(rng: np.random.Generator, ctx: SectorContext, sc: dict[str, Any]) -> Records:
    """人社: 失业 or 返乡 of the only member working away raises 因务工就业不稳; 就业, and losses
    of one of several workers, raise nothing."""
    ec = sc["employment"]
    away = ctx.my.present & (ctx.my.work_area > 0)
    workers = np.zeros(ctx.hy.size.shape, dtype=np.int64)
    for t in range(away.shape[1]):
        workers[:, t] = np.bincount(ctx.panel.m_household[away[:, t]], minlength=len(workers))
    hh = ctx.panel.m_household

    def only_worker(m, t, dates):
        return (away[m, t] & (workers[hh[m], t] == 1)).astype(float)

    def shared_worker(m, t, dates):
        return (away[m, t] & (workers[hh[m], t] >= 2)).astype(float)

    def choose(h, dates):
        return choose_member(rng, ctx, h, dates, only_worker)

    alerts = alert_events(rng, ctx, "employment", choose, sc)
    n_shared = int(round(len(alerts) * ec["shared_losses_per_trigger"]))
    pool = rng.integers(0, len(workers), 4 * n_shared)
    dates = uniform_dates(rng, np.full(len(pool), ctx.start), np.full(len(pool), ctx.end))
    found, member = choose_member(rng, ctx, pool, dates, shared_worker)
    shared = _from_pool(rng, pool[found], dates[found], member[found], n_shared, QUIET)
    losses = Events.concat([alerts, shared])
    status = np.where(rng.random(len(losses)) < ec["return_share"], "返乡", "失业")
    m, t = np.nonzero(away & (rng.random(away.shape) < ec["employed_rate"]))
    records = Records.concat(
        [
            _records(
                {"id_number": ctx.panel.id_number[losses.member], "employment_status": status},
                losses.date,
                losses.household,
                losses.category,
            ),
            _records(
                {"id_number": ctx.panel.id_number[m], "employment_status": np.full(len(m), "就业")},
                _in_year(rng, ctx, t),
                hh[m],
                np.full(len(m), QUIET),
            ),
        ]
    )
    records.columns["change_date"] = records.date
    return records


def education(rng: np.random.Generator, ctx: SectorContext, sc: dict[str, Any]) -> Records:
    """教育: 失学辍学 of a member aged 6–15 on the record's date raises 因学; 在校 and dropping
    out at 16 or 17 (the 16th birthday included) raise nothing."""
    ec = sc["education"]
    lo, hi = int(ctx.threshold("school_age_min")), int(ctx.threshold("school_age_max"))
    birth = ctx.panel.birth
    dropout = ctx.my.schooling == DROPOUT

    def school_age(m, t, dates):
        age = _age_on(birth[m], dates)
        return np.where((age >= lo) & (age <= hi), np.where(dropout[m, t], 20.0, 1.0), 0.0)

    def choose(h, dates):
        return choose_member(rng, ctx, h, dates, school_age)

    def overdue(n: int) -> Events:
        # pupils the survey lists as 失学辍学, in households no episode covers
        m, t = np.nonzero(dropout & ctx.my.present & ~ctx.monitored[ctx.panel.m_household][:, None])
        date = _in_year(rng, ctx, t)
        date = np.minimum(date, ctx.end - days(np.array(sc["overdue_margin_days"])))
        ok = (school_age(m, t, date) > 0) & ctx.matchable(m, date)
        return _from_pool(rng, ctx.panel.m_household[m[ok]], date[ok], m[ok], n, OVERDUE)

    alerts = alert_events(rng, ctx, "education", choose, sc, overdue)
    # dropping out past school age: on the 16th birthday (the edge) or later
    n_old = int(round(len(alerts) * ec["aged_out_per_trigger"]))
    m = np.flatnonzero(_year(birth) + hi + 1 <= _year(np.array([ctx.end]))[0])
    birthday = (birth[m].astype("datetime64[M]") + np.timedelta64(12 * (hi + 1), "M")).astype(
        "datetime64[D]"
    ) + (birth[m] - birth[m].astype("datetime64[M]"))
    late = birthday + days(np.where(rng.random(len(m)) < 0.5, 0, rng.integers(1, 500, len(m))))
    ok = (late >= ctx.start) & (late <= ctx.end) & ctx.matchable(m, late)
    ok &= _age_on(birth[m], late) > hi
    aged_out = _from_pool(rng, ctx.panel.m_household[m[ok]], late[ok], m[ok], n_old, QUIET)
    dropped = Events.concat([alerts, aged_out])
    age = ctx.my.age
    pupils = ctx.my.present & (age >= lo) & (age <= hi + 2) & ~dropout
    m, t = np.nonzero(pupils & (rng.random(pupils.shape) < ec["enrolled_rate"]))
    september = year_start(ctx.panel.years[t]) + days(243 + rng.integers(0, 21, len(t)))
    keep = september <= ctx.end
    m, september = m[keep], september[keep]
    records = Records.concat(
        [
            _records(
                {
                    "id_number": ctx.panel.id_number[dropped.member],
                    "enrolment_status": np.full(len(dropped), "失学辍学"),
                },
                dropped.date,
                dropped.household,
                dropped.category,
            ),
            _records(
                {"id_number": ctx.panel.id_number[m], "enrolment_status": np.full(len(m), "在校")},
                september,
                ctx.panel.m_household[m],
                np.full(len(m), QUIET),
            ),
        ]
    )
    records.columns["change_date"] = records.date
    return records


def housing(rng: np.random.Generator, ctx: SectorContext, sc: dict[str, Any]) -> Records:
    """住建 by household: grade C or D raises 住房安全 (C/D for households whose survey says
    住房安全 = 否); A and B raise nothing."""
    hc = sc["housing"]
    choose = _household_chooser(ctx)

    def overdue(n: int) -> Events:
        h, t = np.nonzero(ctx.housing_unsafe & ~ctx.monitored[:, None])
        keep = rng.random(len(h)) < hc["unsafe_share"]
        h, t = h[keep], t[keep]
        date = _in_year(rng, ctx, t)
        date = np.minimum(date, ctx.end - days(np.array(sc["overdue_margin_days"])))
        return _from_pool(rng, h, date, np.full(len(h), -1), n, OVERDUE)

    alerts = alert_events(rng, ctx, "housing", choose, sc, overdue)
    h, t = np.nonzero(ctx.panel.present() & ~ctx.housing_unsafe)
    rows = rng.random(len(h)) < hc["assessed_rate"]
    h, t = h[rows], t[rows]
    records = Records.concat(
        [
            _records(
                {"danger_grade": _labels(rng, hc["grades_unsafe"], len(alerts))},
                alerts.date,
                alerts.household,
                alerts.category,
            ),
            _records(
                {"danger_grade": _labels(rng, hc["grades_safe"], len(h))},
                _in_year(rng, ctx, t),
                h,
                np.full(len(h), QUIET),
            ),
        ]
    )
    records.columns["household_id"] = ctx.panel.household_id[records.household]
    records.columns["assessed_date"] = records.date
    return records


def emergency(rng: np.random.Generator, ctx: SectorContext, sc: dict[str, Any]) -> Records:
    """应急 by household: a loss above 30 % of the reference income (10 000 yuan without one)
    raises 因灾; disasters hit whole villages, most losses stay below it."""
    ec = sc["emergency"]
    share = ctx.threshold("emergency_loss_income_share")
    limit = ctx.threshold("emergency_loss_yuan") * CENT

    def threshold(h, dates):
        ref = ctx.reference_cents(h, dates)
        return np.where(np.isnan(ref), limit, share * np.nan_to_num(ref))

    alerts = alert_events(rng, ctx, "emergency", _household_chooser(ctx), sc)
    alerts.edge[:] = (alerts.category == OVERDUE) & (rng.random(len(alerts)) < ec["edge_share"])
    quiet = _unmonitored(
        rng, ctx, int(alerts.edge.sum()), _household_chooser(ctx), 0, exclude=alerts.household
    )
    quiet.category[:] = QUIET
    quiet.edge[:] = True
    planted = Events.concat([alerts, quiet])
    thr = threshold(planted.household, planted.date)
    over = np.floor(thr * rng.uniform(*ec["trigger_factor"], len(planted)))
    edge = np.floor(thr) + (planted.category != QUIET)
    loss = np.where(planted.edge, edge, over).astype(np.int64)

    # village disasters: every household of a struck village may lose a little
    villages, village = np.unique(ctx.panel.village, return_inverse=True)
    n_years = len(ctx.panel.years)
    events = rng.poisson(ec["village_events"], (len(villages), n_years))
    v, t = np.nonzero(events)
    v, t = np.repeat(v, events[v, t]), np.repeat(t, events[v, t])
    when = _in_year(rng, ctx, t)
    kind = _labels(rng, ec["types"], len(v))
    order = np.argsort(village, kind="stable")
    v_start = np.searchsorted(village[order], np.arange(len(villages)))
    v_count = np.bincount(village, minlength=len(villages))
    row = np.repeat(np.arange(len(v)), v_count[v])
    offset = np.arange(len(row)) - np.repeat(np.cumsum(v_count[v]) - v_count[v], v_count[v])
    h = order[v_start[v][row] + offset]
    present = ctx.panel.present()[h, t[row]] & (rng.random(len(h)) < ec["households_hit"])
    h, row = h[present], row[present]
    small = np.floor(threshold(h, when[row]) * rng.uniform(*ec["loss_share"], len(h))).astype(
        np.int64
    )
    records = Records.concat(
        [
            _records(
                {"disaster_type": _labels(rng, ec["types"], len(planted)), "loss_yuan": loss},
                planted.date,
                planted.household,
                planted.category,
            ),
            _records(
                {"disaster_type": kind[row], "loss_yuan": small},
                when[row],
                h,
                np.full(len(h), QUIET),
            ),
        ]
    )
    records.columns["household_id"] = ctx.panel.household_id[records.household]
    records.columns["occurred_date"] = records.date
    return records


def disability(rng: np.random.Generator, ctx: SectorContext, sc: dict[str, Any]) -> Records:
    """残联: a certificate of grade 一级 or 二级 raises 因残; 三级 and 四级 raise nothing."""
    dc = sc["disability"]
    disabled = ctx.my.health == 3

    def weight(m, t, dates):
        return np.where(disabled[m, t], 20.0, np.where(ctx.my.age[m, t] >= 16, 1.0, 0.2))

    def choose(h, dates):
        return choose_member(rng, ctx, h, dates, weight)

    def overdue(n: int) -> Events:
        m, t = np.nonzero(
            disabled & ctx.my.present & ~ctx.monitored[ctx.panel.m_household][:, None]
        )
        date = _in_year(rng, ctx, t)
        date = np.minimum(date, ctx.end - days(np.array(sc["overdue_margin_days"])))
        ok = ctx.matchable(m, date)
        return _from_pool(rng, ctx.panel.m_household[m[ok]], date[ok], m[ok], n, OVERDUE)

    alerts = alert_events(rng, ctx, "disability", choose, sc, overdue)
    # one certificate for about half of the disabled, in a year they are disabled
    any_year = disabled & ctx.my.present
    m = np.flatnonzero(any_year.any(axis=1) & (rng.random(len(any_year)) < dc["certificate_share"]))
    years = any_year[m]
    t = np.argmax(years * rng.random(years.shape), axis=1)
    records = Records.concat(
        [
            _records(
                {
                    "id_number": ctx.panel.id_number[alerts.member],
                    "disability_grade": _labels(rng, dc["severe_grades"], len(alerts)),
                },
                alerts.date,
                alerts.household,
                alerts.category,
            ),
            _records(
                {
                    "id_number": ctx.panel.id_number[m],
                    "disability_grade": _labels(rng, dc["mild_grades"], len(m)),
                },
                _in_year(rng, ctx, t),
                ctx.panel.m_household[m],
                np.full(len(m), QUIET),
            ),
        ]
    )
    records.columns["disability_category"] = _labels(rng, dc["categories"], len(records))
    records.columns["issued_date"] = records.date
    return records


DEPARTMENTS: dict[str, Callable[[np.random.Generator, SectorContext, dict[str, Any]], Records]] = {
    "medical": medical,
    "civil_affairs": civil_affairs,
    "employment": employment,
    "education": education,
    "housing": housing,
    "emergency": emergency,
    "disability": disability,
}


def sector_records(
    rng: np.random.Generator, ctx: SectorContext, cfg: dict[str, Any]
) -> dict[str, Records]:
    """Every department's records of the county, each sorted by date and household."""
    out = {}
    for name, build in DEPARTMENTS.items():
        records = build(rng, ctx, cfg["sector"])
        keep = (records.date >= ctx.start) & (records.date <= ctx.end)
        records = records.take(np.flatnonzero(keep))
        order = np.lexsort((ctx.panel.household_id[records.household], records.date))
        out[name] = records.take(order)
    return out


def alert_counts(records: Records) -> dict[str, int]:
    """Alerts the rule finds, by category: the first qualifying record of a household and
    month (SPEC §3.6), and the quiet records."""
    alert = records.category != QUIET
    month = records.date.astype("datetime64[M]").astype(np.int64)
    key = records.household.astype(np.int64) * 100_000 + month
    rows = np.flatnonzero(alert)
    order = rows[np.lexsort((records.date[rows], key[rows]))]
    first = np.r_[True, key[order][1:] != key[order][:-1]] if len(order) else np.zeros(0, bool)
    counts = np.bincount(records.category[order[first]], minlength=len(CATEGORIES))
    return {CATEGORIES[c]: int(counts[c]) for c in (ALREADY_MONITORED, FOLLOWED_UP, OVERDUE)}
