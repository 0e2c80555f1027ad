"""Header matching: a landing file's column headers (表头) → the code names of sources.yaml.

Both the file's header and every alias are normalised the same way, so `工资性收入（元）`,
` 工资性收入 `, `Wage_Income` and `wage_income` all find the same column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# a unit or remark in brackets at the end: (元) [元] 【元】; NFKC has already turned （） into ()
_TRAILING_BRACKETS = re.compile(r"(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】)$")
# "其中:低保金" — a part of the column before it; NFKC has turned "：" into ":"
_LEADING_QIZHONG = re.compile(r"^其中:?")


def normalise_header(text: object) -> str:
    """The comparable form of a header: NFKC, no white space, `_`, `*`, trailing unit or 其中:."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = "".join(s.split()).replace("_", "").strip("*")
    s = _TRAILING_BRACKETS.sub("", s).strip("*")
    if len(s) > 2:
        s = _LEADING_QIZHONG.sub("", s)
    return s.lower()


class AliasCollisionError(ValueError):
    """Two columns of one source share an alias after normalisation."""


def alias_map(columns: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Normalised alias → code name, for `columns` = code name → aliases (the name included)."""
    result: dict[str, str] = {}
    for name, aliases in columns.items():
        for alias in (name, *aliases):
            key = normalise_header(alias)
            if result.get(key, name) != name:
                raise AliasCollisionError(
                    f"alias {alias!r} of {name!r} also names {result[key]!r} after normalisation"
                )
            result[key] = name
    return result


@dataclass(frozen=True)
class HeaderMap:
    """How one file's header row maps onto a source's columns (positions are 0-based)."""

    headers: tuple[str, ...]
    positions: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, tuple[int, ...]] = field(default_factory=dict)
    unknown: tuple[int, ...] = ()

    @property
    def unknown_headers(self) -> list[str]:
        """Header texts of the columns that map to no code name (empty headers left out)."""
        return [self.headers[i] for i in self.unknown if self.headers[i]]

    def key(self, position: int) -> str:
        """The name a column gets in raw_values: its header, made unique where it repeats."""
        text = self.headers[position]
        if not text:
            return f"(#{position + 1})"
        repeated = sum(h == text for h in self.headers) > 1
        return f"{text} (#{position + 1})" if repeated else text


def map_headers(cells: Sequence[object], aliases: Mapping[str, str]) -> HeaderMap:
    """Map a header row through `aliases` (from `alias_map`)."""
    headers = tuple("" if c is None else str(c).strip() for c in cells)
    found: dict[str, list[int]] = {}
    unknown: list[int] = []
    for position, text in enumerate(headers):
        name = aliases.get(normalise_header(text)) if text else None
        if name is None:
            unknown.append(position)
        else:
            found.setdefault(name, []).append(position)
    return HeaderMap(
        headers=headers,
        positions={name: spots[0] for name, spots in found.items()},
        duplicates={name: tuple(spots) for name, spots in found.items() if len(spots) > 1},
        unknown=tuple(unknown),
    )
