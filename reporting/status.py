"""Red / amber / green status of a county's figures, by the thresholds of layout.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

GREEN, AMBER, RED, UNKNOWN = "green", "amber", "red", "unknown"
SEVERITY = {UNKNOWN: -1, GREEN: 0, AMBER: 1, RED: 2}


def figure_status(value: Any, rule: Mapping[str, Any]) -> str:
    """Status of one figure: a flag is green when true and red when false; a number is green
    at or better than `green`, amber at or better than `amber`, else red; NULL is unknown."""
    if value is None:
        return UNKNOWN
    if rule.get("flag"):
        return GREEN if value else RED
    number = float(value)
    if rule["better"] == "higher":
        return GREEN if number >= rule["green"] else AMBER if number >= rule["amber"] else RED
    return GREEN if number <= rule["green"] else AMBER if number <= rule["amber"] else RED


def county_status(row: Mapping[str, Any], thresholds: Mapping[str, Mapping[str, Any]]) -> str:
    """The worst status of the county's judged figures (unknown only when none is known)."""
    statuses = [figure_status(row.get(column), rule) for column, rule in thresholds.items()]
    return max(statuses, key=SEVERITY.__getitem__, default=UNKNOWN)
