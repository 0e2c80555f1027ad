"""Assistance measures (SPEC §3.5) for monitored households, with planted gaps (C1–C3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ingestion.generator.config import Reference
from ingestion.generator.episodes import Episodes
from ingestion.generator.util import days, pick, pick_rows

NO_AMOUNT = np.iinfo(np.int64).min


@dataclass
class Measures:
    episode: np.ndarray
    household: np.ndarray
    measure_type: np.ndarray  # index into Reference.measure_types
    detail: np.ndarray
    start: np.ndarray
    end: np.ndarray  # NaT while running
    amount: np.ndarray  # cents, NO_AMOUNT when not given
    funding: np.ndarray


def _probabilities(answers: np.ndarray, shares: np.ndarray, boost: float) -> np.ndarray:
    """Per episode and type: odds `boost` times higher where the type answers the risks,
    with the mean over episodes equal to the type's share."""
    if not len(answers):
        return np.zeros(answers.shape)
    lo = np.full(len(shares), -20.0)
    hi = np.full(len(shares), 20.0)
    shift = np.log(boost) * answers
    for _ in range(50):
        mid = (lo + hi) / 2
        p = 1 / (1 + np.exp(-(mid + shift)))
        low = p.mean(axis=0) < shares
        lo, hi = np.where(low, mid, lo), np.where(low, hi, mid)
    return 1 / (1 + np.exp(-((lo + hi) / 2 + shift)))


def _choose_types(rng, ep: Episodes, ref: Reference, mc: dict[str, Any], shares: np.ndarray):
    """(episodes, measure types) bool: the types each episode gets, and the types answering it."""
    n = len(ep.household)
    answers = (ep.risk.astype(np.int64) @ ref.answers.T.astype(np.int64)) > 0
    has = rng.random(answers.shape) < _probabilities(answers, shares, mc["answering_boost"])
    # 缺什么补什么: every episode gets at least one type that answers its risks …
    missing = ~(has & answers).any(axis=1)
    add = pick_rows(rng, answers * (shares + 1e-6))
    has[np.flatnonzero(missing), add[missing]] = True

    # … except the planted gaps: no measure at all (C1), none answering (C2)
    u = rng.random(n)
    no_measure = u < mc["no_measure_share"]
    other = ~answers & (shares > 0)
    untargeted = (
        ~no_measure & (u < mc["no_measure_share"] + mc["untargeted_share"]) & other.any(axis=1)
    )
    has[untargeted] &= ~answers[untargeted]
    empty = untargeted & ~has.any(axis=1)
    add = pick_rows(rng, other * shares)
    has[np.flatnonzero(empty), add[empty]] = True
    has[no_measure] = False

    # 一兜了之: households with labour whose only measure is 综合保障, at about yidou_share
    si = ref.measure_index("综合保障")
    dev = np.isin(ref.measure_types, mc["developmental"])
    open_rows = ep.has_labor & ~no_measure & ~untargeted
    only_si = has[:, si] & (has.sum(axis=1) == 1) & open_rows
    goal = round(mc["yidou_share"] * open_rows.sum())
    if only_si.sum() > goal:
        extra = rng.permutation(np.flatnonzero(only_si))[: only_si.sum() - goal]
        add = pick_rows(rng, np.where(dev, shares, 0.0)[None, :].repeat(len(extra), axis=0))
        has[extra, add] = True
    else:
        convertible = open_rows & ~only_si & answers[:, si]
        chosen = rng.permutation(np.flatnonzero(convertible))[: goal - only_si.sum()]
        has[chosen] = False
        has[chosen, si] = True
    return has, answers


def assistance_measures(
    rng: np.random.Generator,
    ep: Episodes,
    ref: Reference,
    cfg: dict[str, Any],
    window_end: np.datetime64,
) -> Measures:
    """Measures of every episode: types, dates, amounts, funding sources."""
    mc = cfg["measures"]
    target = np.array([mc["household_shares"].get(m, 0.0) for m in ref.measure_types])
    has, answers = _choose_types(rng, ep, ref, mc, target)
    if len(has):
        # targeting and the planted cases shift the shares: draw again, corrected once
        achieved = np.maximum(has.mean(axis=0), 1e-3)
        has, answers = _choose_types(rng, ep, ref, mc, np.clip(target * target / achieved, 0, 0.98))
    anchor = pick_rows(
        rng, np.where((has & answers).any(axis=1)[:, None], has & answers, has) * 1.0
    )
    e, m = np.nonzero(has)
    is_anchor = m == anchor[e]
    n = len(e)
    found, identified, eliminated = ep.found[e], ep.identified[e], ep.eliminated[e]
    offset = np.where(
        is_anchor,
        rng.integers(mc["anchor_start_days"][0], mc["anchor_start_days"][1] + 1, n),
        rng.integers(mc["other_start_days"][0], mc["other_start_days"][1] + 1, n),
    )
    start = np.maximum(identified + days(offset), found)
    start = np.where(~np.isnat(eliminated) & (start > eliminated), eliminated, start)
    start = np.minimum(start, window_end)

    # a second record of the same type, later in the episode
    again = rng.random(n) < mc["second_record_share"]
    later = start[again] + days(rng.integers(*mc["second_record_days"], again.sum()))
    fits = (later <= window_end) & (np.isnat(eliminated[again]) | (later <= eliminated[again]))
    rows = np.flatnonzero(again)[fits]
    e = np.concatenate([e, e[rows]])
    m = np.concatenate([m, m[rows]])
    is_anchor = np.concatenate([is_anchor, np.zeros(len(rows), dtype=bool)])
    start = np.concatenate([start, later[fits]])
    n = len(e)
    eliminated = ep.eliminated[e]

    after = eliminated + days(
        rng.integers(
            mc["anchor_end_after_elimination"][0], mc["anchor_end_after_elimination"][1] + 1, n
        )
    )
    after = np.where(rng.random(n) < mc["anchor_end_share"], after, np.datetime64("NaT"))
    own = start + days(rng.integers(*mc["other_duration_days"], n))
    end = np.where(~is_anchor & (rng.random(n) < mc["other_end_share"]), own, after)
    end = np.where(end > window_end, np.datetime64("NaT"), end)

    amount = np.full(n, NO_AMOUNT, dtype=np.int64)
    detail = np.empty(n, dtype=object)
    funding = np.empty(n, dtype=object)
    for k, name in enumerate(ref.measure_types):
        rows = np.flatnonzero(m == k)
        if not len(rows):
            continue
        median, sigma = mc["amounts"].get(name, (1000, 0.5))
        yuan = np.rint(rng.lognormal(np.log(median), sigma, len(rows)) / 10) * 10
        amount[rows] = np.maximum(yuan, 10).astype(np.int64) * 100
        texts = np.array(mc["details"].get(name, [name]))
        detail[rows] = texts[rng.integers(0, len(texts), len(rows))]
        sources = mc["funding"].get(name, mc["funding"]["default"])
        funding[rows] = np.array(list(sources))[pick(rng, sources, len(rows))]
    amount[rng.random(n) < mc["amount_missing_share"]] = NO_AMOUNT
    return Measures(
        e, ep.household[e], m, detail.astype(str), start, end, amount, funding.astype(str)
    )
