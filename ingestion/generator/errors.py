"""Bad rows a county office might deliver, injected at a given rate and counted by kind."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from ingestion.generator.measures import NO_AMOUNT
from ingestion.generator.tables import Table, row_count, take_rows
from ingestion.idnumber import CHECK_CHARS, WEIGHTS

_ID_COLUMN = {"households": "head_id_number", "members": "id_number"}
_AMOUNTS = {
    "income": ["wage_income", "transfer_income", "operating_expense"],
    "measures": ["amount_yuan"],
}


def _set_text(table: Table, column: str, rows: np.ndarray, values) -> None:
    col = table[column].astype(object)
    col[rows] = values
    table[column] = col


def _bad_checksum(ids: np.ndarray, shift: np.ndarray) -> list[str]:
    chars = CHECK_CHARS
    return [s[:17] + chars[(chars.index(s[17]) + k) % 11] for s, k in zip(ids, shift, strict=True)]


def inject(
    rng: np.random.Generator,
    source: str,
    table: Table,
    rate: float,
    county_code: str,
    cfg: dict[str, Any],
) -> tuple[Table, Counter]:
    """The table with about `rate` of its rows made bad, and the count of each kind."""
    counts: Counter = Counter()
    n = row_count(table)
    if rate <= 0 or n == 0:
        return table, counts
    hit = np.flatnonzero(rng.random(n) < rate)
    kinds = cfg["tables"][source]
    kind = np.array(kinds)[rng.integers(0, len(kinds), len(hit))] if len(hit) else np.array([])
    table = dict(table)
    for name in kinds:
        rows = hit[kind == name]
        if not len(rows):
            continue
        counts[name] += len(rows)
        if name == "bad_id_checksum":
            column = _ID_COLUMN[source]
            _set_text(
                table,
                column,
                rows,
                _bad_checksum(table[column][rows], rng.integers(1, 11, len(rows))),
            )
        elif name == "unknown_village":
            codes = [f"{county_code}999{v:03d}" for v in rng.integers(901, 1000, len(rows))]
            _set_text(table, "village_code", rows, codes)
        elif name == "member_count_mismatch":
            size = table["household_size"].copy()
            size[rows] = np.where(size[rows] > 1, size[rows] + rng.choice([-1, 1], len(rows)), 2)
            table["household_size"] = size
        elif name == "negative_amount":
            columns = _AMOUNTS[source]
            which = rng.integers(0, len(columns), len(rows))
            for c, column in enumerate(columns):
                r = rows[which == c]
                col = table[column].copy()
                given = (col[r] != 0) & (col[r] != NO_AMOUNT)
                col[r] = np.where(given, -col[r], -rng.integers(100, 100_000, len(r)))
                table[column] = col
        elif name == "unknown_enum":
            columns = [c for c in cfg["unknown_values"] if c in table]
            which = rng.integers(0, len(columns), len(rows))
            for c, column in enumerate(columns):
                r = rows[which == c]
                values = np.array(cfg["unknown_values"][column], dtype=object)
                _set_text(table, column, r, values[rng.integers(0, len(values), len(r))])
    duplicates = hit[kind == "duplicate_key"]
    if len(duplicates):
        # the row entered twice, the second time a little different
        order = np.sort(np.concatenate([np.arange(n), duplicates]), kind="stable")
        second = np.r_[False, order[1:] == order[:-1]]
        table = take_rows(table, order)
        if "survey_date" in table:
            table["survey_date"] = np.where(
                second, table["survey_date"] + np.timedelta64(1, "D"), table["survey_date"]
            )
        if "amount_yuan" in table:
            amount = table["amount_yuan"]
            table["amount_yuan"] = np.where(second & (amount != NO_AMOUNT), amount + 10_000, amount)
    return table, counts


def _unknown_ids(rng: np.random.Generator, county_code: str, n: int, known: np.ndarray):
    """Valid ID numbers of the county that no member holds (sequence numbers 900–999)."""
    taken = known[np.strings.slice(known.astype(str), 14, 17) >= "900"]
    out = np.zeros(0, dtype="U18")
    while len(out) < n:
        birth = np.datetime64("1950-01-01") + rng.integers(0, 23_000, n).astype("timedelta64[D]")
        ymd = np.strings.replace(np.datetime_as_string(birth, unit="D"), "-", "")
        seq = rng.integers(900, 1000, n).astype("U3")
        first17 = np.strings.add(np.strings.add(county_code, ymd), seq)
        digits = np.frombuffer(first17.astype("S17").tobytes(), dtype=np.uint8).reshape(-1, 17)
        check = np.array(list(CHECK_CHARS))[(digits.astype(np.int64) - 48) @ WEIGHTS % 11]
        ids = np.strings.add(first17, check)
        out = np.concatenate([out, ids[~np.isin(ids, taken)]])
    return out[:n]


def _unknown_households(rng: np.random.Generator, ids: np.ndarray, known: np.ndarray):
    """户编号 of the same villages that no household has (sequence numbers 9000–9999)."""
    taken = known[np.strings.slice(known.astype(str), 12, 16) >= "9000"]
    out = np.strings.add(np.strings.slice(ids.astype(str), 0, 12), "9000")
    clash = np.ones(len(ids), dtype=bool)
    while clash.any():
        seq = rng.integers(9000, 10_000, int(clash.sum())).astype("U4")
        out[clash] = np.strings.add(np.strings.slice(ids[clash].astype(str), 0, 12), seq)
        clash = np.isin(out, taken)
    return out


def unmatch(
    rng: np.random.Generator,
    table: Table,
    rate: float,
    county_code: str,
    members: np.ndarray,
    households: np.ndarray,
) -> tuple[Table, int]:
    """About `rate` of a sector or applications table's rows given an ID number no member holds
    (or a 户编号 no household has): ingestion quarantines them as matching no household."""
    n = row_count(table)
    if rate <= 0 or n == 0:
        return table, 0
    rows = np.flatnonzero(rng.random(n) < rate)
    if not len(rows):
        return table, 0
    table = dict(table)
    if "id_number" in table:
        _set_text(table, "id_number", rows, _unknown_ids(rng, county_code, len(rows), members))
    else:
        current = table["household_id"][rows]
        _set_text(table, "household_id", rows, _unknown_households(rng, current, households))
    return table, len(rows)
