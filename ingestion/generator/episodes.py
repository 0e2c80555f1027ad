"""Monitoring episodes (SPEC §3.4): who is monitored, why, when identified and eliminated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ingestion.generator.config import Reference
from ingestion.generator.income import Shocks
from ingestion.generator.population import HouseholdYears, Panel
from ingestion.generator.util import days, first_per_group, pick, pick_rows, year_start

SHOCK, BELOW_LINE, FILL, AGAIN = range(4)


@dataclass
class Episodes:
    household: np.ndarray
    category: np.ndarray
    risk: np.ndarray  # bool (episodes, risk types)
    channel: np.ndarray
    found: np.ndarray
    identified: np.ndarray
    eliminated: np.ndarray  # NaT while at risk
    has_labor: np.ndarray  # in the survey of the year the risk was found
    candidate: np.ndarray  # the date it could be eliminated on, NaT if none fits


@dataclass
class Context:
    """What the episode model reads about the county's households."""

    panel: Panel
    hy: HouseholdYears
    below_line: np.ndarray
    low_income: np.ndarray
    guarantees_ok: np.ndarray
    housing_unsafe: np.ndarray
    water_unsafe: np.ndarray
    window_end: np.datetime64


@dataclass
class _Triggers:
    household: np.ndarray
    t: np.ndarray
    date: np.ndarray
    kind: np.ndarray  # risk type index, -1: drawn from the household's features
    source: np.ndarray

    def take(self, rows: np.ndarray) -> _Triggers:
        return _Triggers(
            *(a[rows] for a in (self.household, self.t, self.date, self.kind, self.source))
        )

    @staticmethod
    def concat(parts: list[_Triggers]) -> _Triggers:
        return _Triggers(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("household", "t", "date", "kind", "source")
            )
        )


def _in_year(rng, starts: np.ndarray, t: np.ndarray, bounds: tuple[int, int]) -> np.ndarray:
    return starts[t] + days(rng.integers(bounds[0], bounds[1] + 1, len(t)))


def _triggers(rng, ctx: Context, shocks: Shocks, ref: Reference, mc: dict[str, Any]) -> _Triggers:
    panel = ctx.panel
    present = panel.present()
    starts = year_start(panel.years)
    n = len(panel.household_id)
    shock = (shocks.kind >= 0) & (rng.random(present.shape) < mc["monitored_after_shock"])
    h_s, t_s = np.nonzero(shock)
    shock_risk = np.array([ref.risk_index(k) for k in shocks.names])
    k_s = shock_risk[shocks.kind[h_s, t_s]]
    # unsafe housing or drinking water is a reason to monitor as well
    for flags, risk in ((ctx.housing_unsafe, "住房安全"), (ctx.water_unsafe, "饮水安全")):
        h_u, t_u = np.nonzero(flags & (rng.random(present.shape) < mc["unsafe_monitored"]))
        h_s, t_s = np.concatenate([h_s, h_u]), np.concatenate([t_s, t_u])
        k_s = np.concatenate([k_s, np.full(len(h_u), ref.risk_index(risk))])
    below = ctx.below_line & present & (rng.random(present.shape) >= mc["below_line_omission_rate"])
    h_b, t_b = np.nonzero(below)
    target = round(mc["ever_monitored_share"] * n)
    forced = np.zeros(n, dtype=bool)
    forced[h_s] = forced[h_b] = True
    if forced.sum() > target:
        # fewer shocked households are monitored; below-line households are kept
        shock_only = np.flatnonzero(forced & ~np.isin(np.arange(n), h_b))
        drop = rng.permutation(shock_only)[: int(forced.sum() - target)]
        keep = ~np.isin(h_s, drop)
        h_s, t_s, k_s = h_s[keep], t_s[keep], k_s[keep]
        forced[drop] = False
    fill_n = max(0, target - int(forced.sum()))
    w = mc["fill_weights"]
    weight = np.ones(n)
    weight *= np.where(panel.alleviated, 1.0, w["not_alleviated"])
    weight *= np.where((~ctx.hy.has_labor & present).any(axis=1), w["no_labor"], 1.0)
    weight *= np.where((ctx.hy.ill & present).any(axis=1), w["ill"], 1.0)
    weight *= np.where(ctx.low_income.any(axis=1), w["low_income"], 1.0)
    weight[forced] = 0.0
    fill_n = min(fill_n, int((weight > 0).sum()))
    h_f = np.zeros(0, dtype=np.int64)
    if fill_n:
        h_f = np.sort(rng.choice(n, size=fill_n, replace=False, p=weight / weight.sum()))
    t_f = panel.first[h_f] + rng.integers(0, panel.last[h_f] - panel.first[h_f] + 1)
    parts = [
        _Triggers(h_s, t_s, _in_year(rng, starts, t_s, (0, 340)), k_s, np.full(len(h_s), SHOCK)),
        _Triggers(
            h_b,
            t_b,
            _in_year(rng, starts, t_b, (14, 334)),
            np.full(len(h_b), -1),
            np.full(len(h_b), BELOW_LINE),
        ),
        _Triggers(
            h_f,
            t_f,
            _in_year(rng, starts, t_f, (0, 350)),
            np.full(len(h_f), -1),
            np.full(len(h_f), FILL),
        ),
    ]
    trig = _Triggers.concat(parts)
    order = np.lexsort((trig.date, trig.household))
    return trig.take(order)


def _risks(rng, ctx: Context, trig: _Triggers, ref: Reference, mc: dict[str, Any]) -> np.ndarray:
    h, t = trig.household, trig.t
    features = {
        "ill": ctx.hy.ill[h, t],
        "disabled": ctx.hy.disabled[h, t],
        "student": ctx.hy.student[h, t],
        "no_labor": ~ctx.hy.has_labor[h, t],
        "housing_unsafe": ctx.housing_unsafe[h, t],
        "water_unsafe": ctx.water_unsafe[h, t],
    }
    weights = np.zeros((len(h), len(ref.risk_types)))
    for name, spec in mc["risk_weights"].items():
        col = np.full(len(h), float(spec["base"]))
        for feature, factor in spec.items():
            if feature != "base":
                col *= np.where(features[feature], factor, 1.0)
        weights[:, ref.risk_index(name)] = col
    primary = np.where(trig.kind >= 0, trig.kind, pick_rows(rng, weights))
    risk = np.zeros(weights.shape, dtype=bool)
    risk[np.arange(len(h)), primary] = True
    second = pick_rows(rng, np.where(risk, 0.0, weights))
    more = rng.random(len(h)) < mc["second_risk_share"]
    risk[np.flatnonzero(more), second[more]] = True
    return risk


def _lags(rng, n: int, mc: dict[str, Any]) -> np.ndarray:
    u = rng.random(n)
    e15, e16 = mc["identification_exact_15_share"], mc["identification_exact_16_share"]
    late_lo, late_hi = mc["identification_late_days"]
    return np.select(
        [u < e15, u < e15 + e16, u < e15 + mc["identification_late_share"]],
        [15, 16, rng.integers(max(late_lo, 17), late_hi + 1, n)],
        rng.integers(0, mc["identification_days"] + 1, n),
    )


def _elimination_candidates(rng, ctx: Context, h: np.ndarray, identified, mc) -> np.ndarray:
    """A date each episode could be eliminated on, NaT where none fits the window."""
    n = len(h)
    u = rng.random(n)
    minimum = mc["elimination_days_min"]
    e183, e182 = mc["elimination_exact_183_share"], mc["elimination_exact_182_share"]
    short = mc["elimination_short_share"]
    shape, scale = mc["elimination_days_gamma"]
    duration = np.select(
        [u < e183, u < e183 + e182, u < e183 + e182 + short],
        [minimum, minimum - 1, rng.integers(60, minimum, n)],
        minimum + np.rint(rng.gamma(shape, scale, n)).astype(np.int64),
    )
    room = (ctx.window_end - identified) // np.timedelta64(1, "D")
    over = duration > room
    refit = np.where(
        room >= minimum,
        rng.integers(minimum, np.maximum(room, minimum) + 1),
        rng.integers(60, np.maximum(room, 60) + 1),
    )
    duration = np.where(over, refit, duration)
    eliminated = identified + days(duration)
    eliminated = np.where(room >= 60, eliminated, np.datetime64("NaT"))
    # not while the survey of that year shows income below the line or a guarantee missing
    panel = ctx.panel
    year = eliminated.astype("datetime64[Y]").astype(np.int64) + 1970
    t = np.searchsorted(panel.years, year, side="right") - 1
    t = np.minimum(t, panel.last[h])
    surveyed = (t >= panel.first[h]) & ~np.isnat(eliminated)
    tt = np.clip(t, 0, len(panel.years) - 1)
    bad = surveyed & (ctx.below_line[h, tt] | ~ctx.guarantees_ok[h, tt])
    postpone = bad & (rng.random(n) < mc["elimination_postpone_share"])
    eliminated = np.where(postpone, eliminated + days(np.full(n, 365)), eliminated)
    return np.where(eliminated <= ctx.window_end, eliminated, np.datetime64("NaT"))


def _elimination_weight(candidate, identified, has_labor, mc) -> np.ndarray:
    fits = ~np.isnat(candidate)
    room = (np.where(fits, candidate, identified) - identified) // np.timedelta64(1, "D")
    weight = np.where(fits, np.where(room >= mc["elimination_days_min"], 1.0, 0.1), 0.0)
    return weight * np.where(has_labor, 1.0, mc["elimination_no_labor_factor"])


def _eliminate(rng, candidate, identified, has_labor, scale: float | None, mc):
    """Choose which episodes are eliminated so that about eliminated_share of them are."""
    weight = _elimination_weight(candidate, identified, has_labor, mc)
    if scale is None:
        goal = mc["eliminated_share"] * len(weight)
        lo, hi = 0.0, 1000.0
        for _ in range(60):
            scale = (lo + hi) / 2
            if np.clip(scale * weight, 0, 0.98).sum() < goal:
                lo = scale
            else:
                hi = scale
    chosen = rng.random(len(weight)) < np.clip(scale * weight, 0, 0.98)
    return np.where(chosen, candidate, np.datetime64("NaT")), scale


def _episodes(rng, ctx, trig: _Triggers, ref, mc, scale, not_before=None):
    n = len(trig.household)
    h, t = trig.household, trig.t
    lag = _lags(rng, n, mc)
    found = np.minimum(trig.date, ctx.window_end - days(lag))
    keep = np.ones(n, dtype=bool) if not_before is None else found > not_before
    identified = found + days(lag)
    has_labor = ctx.hy.has_labor[h, t]
    candidate = _elimination_candidates(rng, ctx, h, identified, mc)
    eliminated, scale = _eliminate(rng, candidate, identified, has_labor, scale, mc)
    alleviated = ctx.panel.alleviated[h]
    cats = mc["category"]
    names = {k: np.array(list(v)) for k, v in cats.items()}
    category = np.where(
        alleviated,
        names["alleviated"][pick(rng, cats["alleviated"], n)],
        np.where(
            trig.source == SHOCK,
            names["other_shock"][pick(rng, cats["other_shock"], n)],
            names["other"][pick(rng, cats["other"], n)],
        ),
    )
    channel = np.array(list(mc["channels"]))[pick(rng, mc["channels"], n)]
    risk = _risks(rng, ctx, trig, ref, mc)
    episodes = Episodes(
        h, category, risk, channel, found, identified, eliminated, has_labor, candidate
    )
    return _take(episodes, np.flatnonzero(keep)), scale


def _take(e: Episodes, rows: np.ndarray) -> Episodes:
    return Episodes(*(getattr(e, f)[rows] for f in Episodes.__dataclass_fields__))


def monitoring_episodes(
    rng: np.random.Generator, ctx: Context, shocks: Shocks, ref: Reference, cfg: dict[str, Any]
) -> Episodes:
    """The county's episodes: shocks and below-line incomes found, topped up to the target."""
    mc = cfg["monitoring"]
    trig = _triggers(rng, ctx, shocks, ref, mc)
    n = len(ctx.panel.household_id)
    rows = np.arange(len(trig.household))
    first = first_per_group(trig.household, rows, np.ones(len(rows), dtype=bool))
    round1, scale = _episodes(rng, ctx, trig.take(first[first >= 0]), ref, mc, None)

    # at risk again after an elimination: the next trigger, or now and then a new risk
    ended = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ended[round1.household] = round1.eliminated
    later = ~np.isnat(ended[trig.household]) & (trig.date > ended[trig.household])
    nxt = first_per_group(trig.household, rows, later)
    again = trig.take(nxt[nxt >= 0])
    quiet = np.flatnonzero(~np.isnat(ended))
    quiet = quiet[~np.isin(quiet, again.household)]
    quiet = quiet[rng.random(len(quiet)) < mc["second_episode_share"]]
    date = ended[quiet] + days(rng.integers(60, 400, len(quiet)))
    panel = ctx.panel
    t = np.searchsorted(year_start(panel.years), date, side="right") - 1
    year = date.astype("datetime64[Y]").astype(np.int64) + 1970
    surveyed = (panel.years[t] == year) & (t >= panel.first[quiet]) & (t <= panel.last[quiet])
    fits = surveyed & (date <= ctx.window_end - np.timedelta64(20, "D"))
    quiet, date, t = quiet[fits], date[fits], t[fits]
    planted = _Triggers(quiet, t, date, np.full(len(quiet), -1), np.full(len(quiet), AGAIN))
    second = _Triggers.concat([again, planted])
    round2, _ = _episodes(rng, ctx, second, ref, mc, scale, not_before=ended[second.household])

    both = Episodes(
        *(
            np.concatenate([getattr(round1, f), getattr(round2, f)])
            for f in Episodes.__dataclass_fields__
        )
    )
    # episodes found late in the window cannot be eliminated in time: top up among the others
    # (an episode still at risk has no later episode, so eliminating it overlaps nothing)
    need = round(mc["eliminated_share"] * len(both.household)) - int(
        (~np.isnat(both.eliminated)).sum()
    )
    weight = _elimination_weight(both.candidate, both.identified, both.has_labor, mc)
    weight[~np.isnat(both.eliminated)] = 0.0
    need = min(need, int((weight > 0).sum()))
    if need > 0:
        rows = rng.choice(len(weight), size=need, replace=False, p=weight / weight.sum())
        both.eliminated[rows] = both.candidate[rows]
    order = np.lexsort((both.found, ctx.panel.household_id[both.household]))
    return _take(both, order)
