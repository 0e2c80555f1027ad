"""How figures are shown: rounded half-up only here, at the last step (SPEC §5)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

MISSING = "—"
MINUS = "−"


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    # str() of a float is its shortest repr, so 0.0725 stays 0.0725 and rounds half-up
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _grouped(number: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    text = f"{abs(rounded):,.{places}f}"
    return (MINUS + text) if rounded < 0 else text


def count(value: Any) -> str:
    number = _decimal(value)
    return MISSING if number is None else _grouped(number, 0)


def yuan(value: Any) -> str:
    """Whole yuan, half-up: 15773.311193 → 15,773."""
    number = _decimal(value)
    return MISSING if number is None else _grouped(number, 0)


def percent(value: Any, places: int = 1) -> str:
    """A plain fraction as a percentage: 0.073691 → 7.4%."""
    number = _decimal(value)
    return MISSING if number is None else _grouped(number * 100, places) + "%"


def signed(text: str) -> str:
    if text in (MISSING, "0", "0.0") or text.startswith(MINUS):
        return text
    return "+" + text


FORMATS = {"count": count, "yuan": yuan, "percent": percent}


def figure(value: Any, kind: str) -> str:
    """A figure in its format: count, yuan or percent."""
    return FORMATS[kind](value)


def change(value: Any, kind: str, points_unit: str) -> str:
    """A change from the previous quarter: +12, −1,066, +1.2 pp (percentage points)."""
    number = _decimal(value)
    if number is None:
        return MISSING
    if kind == "percent":
        return signed(_grouped(number * 100, 1)) + points_unit
    return signed(FORMATS[kind](number))


def direction(value: Any) -> str:
    """'up', 'down' or 'flat' (CSS class of a change); 'none' when unknown."""
    number = _decimal(value)
    if number is None:
        return "none"
    return "up" if number > 0 else "down" if number < 0 else "flat"
