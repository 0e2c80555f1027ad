"""Resident ID numbers (居民身份证号码, GB 11643): check character, in Python and in SQL.

The weights and the check-character table live here once; the generator uses the Python
function to make valid numbers, the row rules use the SQL expression to check millions of
rows inside DuckDB.
"""

from __future__ import annotations

WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# sum of weighted digits mod 11 → check character (0→1, 1→0, 2→X, 3→9, … 10→2)
CHECK_CHARS = "10X98765432"


def check_character(first17: str) -> str:
    """The 18th character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def is_valid(id_number: str) -> bool:
    """True for 18 characters with a real birth date and the matching check character."""
    from datetime import date

    s = id_number.strip().upper()
    if len(s) != 18 or not s[:17].isdigit():
        return False
    try:
        date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return False
    return check_character(s[:17]) == s[17]


def sql_check_character(column: str) -> str:
    """A DuckDB SQL expression giving the expected check character of `column`'s first 17 digits.

    Only meaningful when the first 17 characters are digits; callers test that first.
    """
    terms = " + ".join(
        f"{w} * (ascii(substr({column}, {i + 1}, 1)) - 48)" for i, w in enumerate(WEIGHTS)
    )
    return f"substr('{CHECK_CHARS}', (({terms}) % 11) + 1, 1)"
