"""Administrative divisions (SPEC §2): a city or a whole province, down to villages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ingestion.generator.util import split_total

REGION_HEADER = (
    "region_code",
    "name",
    "level",
    "parent_code",
    "is_key_county",
    "is_alleviated_county",
)


@dataclass(frozen=True)
class County:
    """One county to generate: its code, flags and villages with first-year household counts."""

    index: int
    code: str
    name: str
    key_level: str
    is_alleviated: bool
    households: int
    villages: np.ndarray
    village_sizes: np.ndarray


@dataclass(frozen=True)
class Geography:
    rows: list[tuple[str, ...]]
    counties: list[County]


def _pad(prefix: str) -> str:
    return prefix.ljust(12, "0")


def _place_names(rng: np.random.Generator, pool: list[str], n: int, suffix: str) -> list[str]:
    picks = rng.choice(len(pool) ** 2, size=n, replace=False)
    return [pool[i // len(pool)] + pool[i % len(pool)] + suffix for i in picks]


def county_count(households: int, geo: dict[str, Any]) -> tuple[int, int]:
    """Number of counties and cities for a landing area of this many households."""
    if households <= geo["single_city_max_households"]:
        n = round(households / geo["households_per_county_small"])
        n = min(max(n, geo["min_counties"]), geo["max_counties_single_city"])
        return max(1, min(n, households)), 1
    n = max(1, round(households / geo["households_per_county_large"]))
    return n, max(2, min(n, round(n / geo["counties_per_city"])))


def _key_levels(rng: np.random.Generator, n: int, geo: dict[str, Any]) -> tuple[list, list]:
    order = np.argsort(rng.random(n), kind="stable")
    n_alleviated = max(1, round(geo["alleviated_county_share"] * n))
    n_national = min(
        n_alleviated, max(1 if n >= 3 else 0, round(geo["national_key_county_share"] * n))
    )
    n_provincial = min(
        n_alleviated - n_national,
        max(1 if n >= 4 else 0, round(geo["provincial_key_county_share"] * n)),
    )
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    levels = np.where(
        rank < n_national,
        "national",
        np.where(rank < n_national + n_provincial, "provincial", "none"),
    )
    return levels.tolist(), (rank < n_alleviated).tolist()


def plan_geography(households: int, cfg: dict[str, Any], rng: np.random.Generator) -> Geography:
    """The province, its cities, counties, townships and villages, and the county plans."""
    geo, places = cfg["geography"], cfg["names"]["places"]
    province = cfg["province"]["code"]
    n_counties, n_cities = county_count(households, geo)
    weights = rng.lognormal(0.0, geo["county_size_sigma"], n_counties)
    sizes = 1 + split_total(households - n_counties, weights)
    per_city = 1 + split_total(n_counties - n_cities, rng.lognormal(0.0, 0.3, n_cities))
    key_levels, alleviated = _key_levels(rng, n_counties, geo)
    city_names = _place_names(rng, places, n_cities, "市")

    rows: list[tuple[str, ...]] = [
        (_pad(province), cfg["province"]["name"], "province", "", "", "")
    ]
    counties: list[County] = []
    lo, hi = geo["village_households"]
    for c in range(n_cities):
        city = f"{province}{c + 1:02d}"
        rows.append((_pad(city), city_names[c], "city", _pad(province), "", ""))
        county_names = _place_names(rng, places, int(per_city[c]), "县")
        for k in range(int(per_city[c])):
            i = len(counties)
            code = f"{city}{21 + k:02d}"
            flag = "是" if alleviated[i] else "否"
            rows.append((_pad(code), county_names[k], "county", _pad(city), key_levels[i], flag))
            n_villages = max(1, round(sizes[i] / ((lo + hi) / 2)))
            village_sizes = split_total(int(sizes[i]), rng.uniform(lo, hi, n_villages))
            n_townships = max(1, round(n_villages / geo["villages_per_township"]))
            n_towns = max(1, round(n_townships * geo["town_share"]))
            township_names = _place_names(rng, places, n_towns, "镇")
            township_names += _place_names(rng, places, n_townships - n_towns, "乡")
            township_of = np.arange(n_villages) * n_townships // n_villages
            villages: list[str] = []
            for t in range(n_townships):
                ttt = 101 + t if t < n_towns else 201 + t - n_towns
                township = f"{code}{ttt:03d}"
                rows.append((_pad(township), township_names[t], "township", _pad(code), "", ""))
                members = int((township_of == t).sum())
                for j, name in enumerate(_place_names(rng, places, members, "村")):
                    village = f"{township}{201 + j:03d}"
                    rows.append((village, name, "village", _pad(township), "", ""))
                    villages.append(village)
            counties.append(
                County(
                    index=i,
                    code=code,
                    name=county_names[k],
                    key_level=key_levels[i],
                    is_alleviated=alleviated[i],
                    households=int(sizes[i]),
                    villages=np.array(villages),
                    village_sizes=village_sizes,
                )
            )
    return Geography(rows, counties)


def monitoring_lines(years: list[int], cfg: dict[str, Any]) -> dict[int, int]:
    """The province's monitoring line per year: listed values, others extrapolated."""
    listed = {int(y): int(v) for y, v in cfg["monitoring_lines"].items()}
    lines = {}
    for year in years:
        if year in listed:
            lines[year] = listed[year]
            continue
        nearest = min(listed, key=lambda y: (abs(y - year), y))
        value = listed[nearest] * (1 + cfg["line_growth"]) ** (year - nearest)
        lines[year] = int(round(value / 50) * 50)
    return lines
