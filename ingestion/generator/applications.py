"""Self-report applications (农户自主申报, SPEC §3.7) of one county.

Episodes found through 农户自主申报 start with an application (outcome 纳入监测, closed when
the household is identified); the other applications are settled by assistance (落实帮扶) or
turned down (不符合条件). A few are still in progress at the end of the window, and an
application closed in a later month than it was made is sometimes listed in both months' files
(first as 办理中).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ingestion.generator.population import HEAD
from ingestion.generator.sector import QUIET, Records, SectorContext, choose_member
from ingestion.generator.util import DAY, days, pick, rank_within, uniform_dates, year_start, zfill

SELF_REPORT = "农户自主申报"
IN_PROGRESS = "办理中"
NAT = np.datetime64("NaT", "D")


def applications(
    rng: np.random.Generator, ctx: SectorContext, county_code: str, cfg: dict[str, Any]
) -> Records:
    """The county's applications, one row per listing in a monthly file (`date` = the
    listing's month, as the first day of it)."""
    ac = cfg["applications"]
    lo, hi = ac["closed_days"]
    ep = ctx.episodes

    def applicant(m: np.ndarray, t: np.ndarray, dates: np.ndarray) -> np.ndarray:
        return np.where(ctx.panel.m_role[m] == HEAD, 8.0, np.where(ctx.my.age[m, t] >= 18, 1, 0))

    # episodes reported by the household itself
    e = np.flatnonzero(ep.channel == SELF_REPORT)
    e = e[rng.random(len(e)) < ac["self_reported_episodes"]]
    applied = ep.found[e] - days(rng.integers(ac["lead_days"][0], ac["lead_days"][1] + 1, len(e)))
    applied = np.maximum(applied, ctx.start)
    found, member = choose_member(rng, ctx, ep.household[e], applied, applicant)
    e, applied, member = e[found], applied[found], member[found]
    wait = np.clip((ep.identified[e] - applied) // DAY, lo, hi)
    linked_closed = applied + days(wait)
    linked_outcome = np.full(len(e), "纳入监测")

    # the others, spread over the surveyed household-years
    h, t = np.nonzero(ctx.panel.present())
    n_other = max(0, int(rng.binomial(len(h), ac["per_household_year"])) - len(e))
    rows = rng.choice(len(h), size=min(n_other, len(h)), replace=False)
    h, t = h[rows], t[rows]
    # closed within the window, in a year the household is surveyed
    year_lo = np.maximum(ctx.start, year_start(ctx.panel.years[t]))
    year_hi = np.minimum(ctx.end - days(np.array(hi)), year_start(ctx.panel.years[t] + 1) - DAY)
    fits = year_lo <= year_hi
    h, year_lo, year_hi = h[fits], year_lo[fits], year_hi[fits]
    other_applied = uniform_dates(rng, year_lo, year_hi)
    ok, other_member = choose_member(rng, ctx, h, other_applied, applicant)
    h, other_applied, other_member = h[ok], other_applied[ok], other_member[ok]
    other_closed = other_applied + days(rng.integers(lo, hi + 1, len(h)))
    other_outcome = np.array(list(ac["outcomes"]))[pick(rng, ac["outcomes"], len(h))]

    # 申请事项: the episode's first risk type, or any
    texts = np.array(list(ac["subjects"].values()))
    by_risk = np.array([ac["subjects"].get(r, texts[0]) for r in ctx.ref.risk_types])
    linked_subject = by_risk[np.argmax(ep.risk[e], axis=1)] if len(e) else texts[:0]
    other_subject = texts[rng.integers(0, len(texts), len(h))]

    household = np.concatenate([ep.household[e], h])
    member = np.concatenate([member, other_member])
    applied = np.concatenate([applied, other_applied])
    closed = np.concatenate([linked_closed, other_closed])
    outcome = np.concatenate([linked_outcome, other_outcome])
    subject = np.concatenate([linked_subject, other_subject])
    named = rng.random(len(applied)) < ac["named_subject_share"]
    subject = np.where(named, np.strings.add(ctx.panel.name[member], subject), subject)

    # still in progress at the end of the window
    open_ = rng.random(len(applied)) < ac["open_share"]
    open_ &= outcome != "纳入监测"
    late = ctx.end - days(rng.integers(0, hi, len(applied)))
    applied = np.where(open_, np.maximum(late, ctx.start), applied)
    open_ |= closed > ctx.end
    closed = np.where(open_, NAT, closed)
    outcome = np.where(open_, IN_PROGRESS, outcome)
    ok = ctx.matchable(member, applied)
    order = np.flatnonzero(ok)
    order = order[np.lexsort((ctx.panel.household_id[household[order]], applied[order]))]
    household, member, applied, closed, outcome, subject = (
        a[order] for a in (household, member, applied, closed, outcome, subject)
    )
    month = applied.astype("datetime64[M]")
    sequence = rank_within(month.astype(np.int64)) + 1
    months = month.astype(np.int64)
    yyyymm = ((months // 12 + 1970) * 100 + months % 12 + 1).astype(str)
    application_id = np.strings.add(np.strings.add(f"SQ{county_code}", yyyymm), zfill(sequence, 5))

    # one listing in the month applied for; some closed later are listed again then
    closed_month = np.where(np.isnat(closed), month, closed.astype("datetime64[M]"))
    relisted = (closed_month > month) & (rng.random(len(applied)) < ac["relisted_share"])
    r = np.flatnonzero(relisted)
    listing = np.concatenate([np.arange(len(applied)), r])
    listed_month = np.concatenate([month, closed_month[r]])
    first_of_two = np.concatenate([relisted, np.zeros(len(r), dtype=bool)])
    columns = {
        "application_id": application_id[listing],
        "id_number": ctx.panel.id_number[member[listing]],
        "applied_date": applied[listing],
        "subject": subject[listing],
        "closed_date": np.where(first_of_two, NAT, closed[listing]),
        "outcome": np.where(first_of_two, IN_PROGRESS, outcome[listing]),
    }
    return Records(
        columns,
        listed_month.astype("datetime64[D]"),
        household[listing],
        np.full(len(listing), QUIET),
    )
