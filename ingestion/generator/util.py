"""Small vectorised helpers shared by the generator's steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

DAY = np.timedelta64(1, "D")


def pick(rng: np.random.Generator, shares: Mapping[str, float] | Sequence[float], size: int):
    """Indices drawn with the given shares (normalised), one per row."""
    p = np.asarray(list(shares.values()) if isinstance(shares, Mapping) else shares, float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def pick_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """For each row of a (n, k) weight matrix, a column drawn with those weights (Gumbel-max)."""
    with np.errstate(divide="ignore"):
        keys = np.log(weights) + rng.gumbel(size=weights.shape)
    return keys.argmax(axis=1)


def uniform_int(rng: np.random.Generator, bounds: Sequence[int], size: int) -> np.ndarray:
    """Integers in [low, high], both inclusive."""
    return rng.integers(bounds[0], bounds[1] + 1, size=size)


def split_total(total: int, weights: np.ndarray) -> np.ndarray:
    """Whole numbers proportional to weights that add up to total (largest remainder)."""
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - counts.sum()
    if short:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


def rank_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2 … within each group, in order of appearance."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(len(groups)), 0))
    ranks = np.empty(len(groups), dtype=np.int64)
    ranks[order] = np.arange(len(groups)) - run_start
    return ranks


def first_per_group(groups: np.ndarray, keys: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Row index of the smallest key within each group among rows where mask, -1 where none.

    Returned array is indexed by group id (0 .. groups.max()).
    """
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    result = np.full(n_groups, -1, dtype=np.int64)
    rows = np.flatnonzero(mask)
    if len(rows):
        order = rows[np.lexsort((keys[rows], groups[rows]))]
        g = groups[order]
        first = np.r_[True, g[1:] != g[:-1]]
        result[g[first]] = order[first]
    return result


def zfill(numbers: np.ndarray, width: int) -> np.ndarray:
    """Whole numbers as zero-padded text of `width` digits."""
    numbers = np.asarray(numbers)
    if not len(numbers):
        return np.zeros(0, dtype=f"U{width}")
    return np.strings.zfill(numbers.astype(f"U{width}"), width)


def year_start(years: np.ndarray) -> np.ndarray:
    """1 January of each year as datetime64[D]."""
    return (
        (np.asarray(years, dtype=np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    )


def date(year: int, month: int, day: int) -> np.datetime64:
    return np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D")


def days(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.int64) * DAY


def uniform_dates(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A uniform date in [lo, hi] (both included) for each pair."""
    span = (hi - lo) // DAY
    return lo + days(np.floor(rng.random(len(lo)) * (span + 1)).astype(np.int64))
