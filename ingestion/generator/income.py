"""Household income per year (SPEC §3.3): per-capita level, growth, shocks and its parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ingestion.generator.population import HouseholdYears, Panel
from ingestion.generator.util import pick


@dataclass
class Shocks:
    """Adverse events per household and year: kind (index into names, -1 none), log drop."""

    kind: np.ndarray
    drop: np.ndarray
    names: list[str]


@dataclass
class Income:
    """Amounts in cents per household and year; per_capita in yuan (float, for the models)."""

    wage: np.ndarray
    operating_income: np.ndarray
    operating_expense: np.ndarray
    property: np.ndarray
    transfer: np.ndarray
    dibao: np.ndarray
    tekun: np.ndarray
    pension: np.ndarray
    eco: np.ndarray
    net: np.ndarray
    per_capita: np.ndarray


def draw_shocks(rng: np.random.Generator, panel: Panel, cfg: dict[str, Any]) -> Shocks:
    """Illness, disaster, accident, lost work … striking a few households each year."""
    ic = cfg["income"]
    present = panel.present()
    hit = present & (rng.random(present.shape) < ic["shock_rate"])
    kind = pick(rng, ic["shock_kinds"], present.size).reshape(present.shape)
    drop = rng.uniform(*ic["shock_log_drop"], present.shape)
    return Shocks(np.where(hit, kind, -1), np.where(hit, drop, 0.0), list(ic["shock_kinds"]))


def unsafe_flags(
    rng: np.random.Generator,
    present: np.ndarray,
    rate: float,
    persistence: float,
    exempt: np.ndarray,
) -> np.ndarray:
    """住房安全 / 饮水安全 = 否: rare, sometimes lasting into the next year."""
    flags = np.zeros(present.shape, dtype=bool)
    for t in range(present.shape[1]):
        new = rng.random(present.shape[0]) < rate
        if t:
            new |= flags[:, t - 1] & (rng.random(present.shape[0]) < persistence)
        flags[:, t] = new & present[:, t] & ~exempt
    return flags


def _cents(yuan: np.ndarray) -> np.ndarray:
    return np.floor(yuan * 100).astype(np.int64)


def household_income(
    rng: np.random.Generator,
    panel: Panel,
    hy: HouseholdYears,
    shocks: Shocks,
    lines: np.ndarray,
    key_county: bool,
    cfg: dict[str, Any],
) -> Income:
    """Per-capita income as a log random walk with drift, split into its parts."""
    ic = cfg["income"]
    years = panel.years
    shape = hy.size.shape
    n, n_years = shape
    growth = ic["growth_log_mean"] + rng.normal(0, ic["county_growth_sigma"], n_years)
    growth[0] = 0.0
    level = (
        np.log(ic["per_capita_median"])
        + ic["growth_log_mean"] * (years[0] - ic["reference_year"])
        + np.cumsum(growth)
        + rng.normal(0, ic["county_sigma"])
        + (ic["key_county_effect"] if key_county else 0.0)
    )
    household = rng.normal(0, ic["per_capita_sigma"], n)
    noise = rng.normal(0, ic["growth_log_sigma"], shape)
    log_pc = np.zeros(shape)
    for t in range(n_years):
        start = level[t] + household + np.where(hy.has_labor[:, t], 0.0, ic["no_labor_effect"])
        start -= shocks.drop[:, t]
        if t == 0:
            log_pc[:, 0] = start
            continue
        walk = log_pc[:, t - 1] + growth[t] + noise[:, t] - shocks.drop[:, t]
        walk += ic["shock_recovery"] * shocks.drop[:, t - 1]
        # assistance lifts households that were near or below the line
        near = np.exp(log_pc[:, t - 1]) < ic["assistance_lift_below"] * lines[t - 1]
        walk += np.where(near, rng.uniform(*ic["assistance_lift"], n), 0.0)
        log_pc[:, t] = np.where(panel.first == t, start, walk)

    size = np.maximum(hy.size, 1)
    net = np.maximum(np.rint(np.exp(log_pc) * size * 100).astype(np.int64), 100)
    per_capita = net / size / 100

    def between(bounds) -> np.ndarray:
        return rng.uniform(bounds[0], bounds[1], shape)

    pension = _cents(hy.elderly * between(ic["pension_per_elderly"]))
    on_dibao = per_capita < ic["dibao_line_factor"] * lines[None, :]
    on_dibao &= rng.random(shape) < ic["dibao_take_up"]
    dibao = np.where(on_dibao, _cents(size * between(ic["dibao_per_person"])), 0)
    tekun_ok = (
        (size == 1) & (hy.elderly > 0) & ~hy.has_labor & (rng.random(shape) < ic["tekun_share"])
    )
    tekun = np.where(tekun_ok, _cents(between(ic["tekun_amount"])), 0)
    eco = np.where(rng.random(shape) < ic["eco_share"], _cents(between(ic["eco_amount"])), 0)
    other = np.floor(net * between(ic["other_transfer_share"])).astype(np.int64)
    total = pension + dibao + tekun + eco + other
    cap = np.floor(net * ic["transfer_cap"]).astype(np.int64)
    scale = np.where(total > cap, cap / np.maximum(total, 1), 1.0)
    pension, dibao, tekun, eco, other = (
        np.floor(a * scale).astype(np.int64) for a in (pension, dibao, tekun, eco, other)
    )
    transfer = pension + dibao + tekun + eco + other
    prop = np.floor(net * between(ic["property_share"])).astype(np.int64)
    prop = np.where(rng.random(shape) < ic["property_zero_share"], 0, prop)
    rest = net - transfer - prop
    share = np.where(
        hy.workers > 0,
        between(ic["operating_share_workers"]),
        between(ic["operating_share_no_workers"]),
    )
    op_net = np.floor(rest * share).astype(np.int64)
    if "因产业项目失败" in shocks.names:
        failed = shocks.kind == shocks.names.index("因产业项目失败")
        loss = np.floor(net * between(ic["failed_business_loss"])).astype(np.int64)
        op_net = np.where(failed, -loss, op_net)
    wage = rest - op_net
    ratio = between(ic["operating_expense_ratio"])
    gross_loss = np.floor(-op_net * rng.random(shape)).astype(np.int64)
    op_income = np.where(
        op_net >= 0, op_net + np.floor(op_net * ratio).astype(np.int64), gross_loss
    )
    op_expense = op_income - op_net
    return Income(
        wage=wage,
        operating_income=op_income,
        operating_expense=op_expense,
        property=prop,
        transfer=transfer,
        dibao=dibao,
        tekun=tekun,
        pension=pension,
        eco=eco,
        net=net,
        per_capita=per_capita,
    )
