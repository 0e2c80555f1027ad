"""The landing contract as plain data: sources.yaml, reasons.yaml and the seed lists they name."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ingestion.headers import alias_map

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCES_YAML = PACKAGE_DIR / "sources.yaml"
REASONS_YAML = PACKAGE_DIR / "reasons.yaml"
SEEDS_DIR = PACKAGE_DIR.parent / "dbt_project" / "seeds"

# the raw-table type of each column type (docs/architecture.md)
SQL_TYPES = {
    "string": "VARCHAR",
    "digits": "VARCHAR",
    "enum": "VARCHAR",
    "enum_list": "VARCHAR",
    "id_number": "VARCHAR",
    "integer": "INTEGER",
    "decimal": "DECIMAL(18,2)",
    "rate": "DECIMAL(18,6)",
    "date": "DATE",
    "bool": "BOOLEAN",
}

_PLACEHOLDERS = {
    "year": r"(?P<year>[0-9]{4})",
    "county": r"(?P<county>[0-9]{12}|[0-9]{6})",
    "month": r"(?P<month>[0-9]{4}-[0-9]{2})",
}


class ConfigError(ValueError):
    """sources.yaml, reasons.yaml or a seed it names is inconsistent."""


@dataclass(frozen=True)
class Reason:
    """A reason in Chinese and English."""

    zh: str
    en: str

    def format(self, **values: object) -> Reason:
        """The reason with its {placeholders} filled in."""
        return Reason(self.zh.format(**values), self.en.format(**values))

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class Column:
    """One column of a landing source."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    pii: bool = False
    min: int | float | None = None
    max: int | float | None = None
    length: int | None = None
    values: tuple[str, ...] = ()
    # reviewed misspellings of an enum value → the value (`value_aliases` in sources.yaml)
    value_aliases: tuple[tuple[str, str], ...] = ()

    @property
    def sql_type(self) -> str:
        """The column's type in the raw table."""
        return SQL_TYPES[self.type]

    @property
    def label_zh(self) -> str:
        """The Chinese header a county office would write (the first alias)."""
        return self.aliases[0] if self.aliases else self.name


@dataclass(frozen=True)
class FilePattern:
    """A landing path pattern such as `survey/{year}/{county}.xlsx#户信息`."""

    pattern: str
    regex: re.Pattern[str]
    kind: str  # "csv" or "xlsx"
    sheet: str | None


@dataclass(frozen=True)
class UniqueRule:
    """Columns whose values must not repeat, and the reason key when they do."""

    columns: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class RecordMatch:
    """How a sector record or application finds its household (SPEC §3.6).

    `key` is `id_number` (a member of the latest survey up to the year of `date`) or
    `household_id` (a loaded household); `reason` is the reasons.yaml key when none matches.
    """

    key: str
    date: str
    reason: str


@dataclass(frozen=True)
class Source:
    """A landing source: where its files are, their columns and the keys it enforces."""

    name: str
    description: str
    raw_table: str
    files: tuple[FilePattern, ...]
    columns: tuple[Column, ...]
    sheet_aliases: tuple[str, ...] = ()
    optional: bool = False
    key: tuple[str, ...] = ()
    unique: tuple[UniqueRule, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    department: str | None = None
    match: RecordMatch | None = None

    @property
    def per_unit(self) -> bool:
        """True when the path gives `year` and `county_code` (survey and ledgers)."""
        return any("{year}" in f.pattern for f in self.files)

    @property
    def per_month(self) -> bool:
        """True when the path gives the month (`record_month`) of a monthly push."""
        return any("{month}" in f.pattern for f in self.files)

    def column(self, name: str) -> Column:
        """The column called `name`."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


@dataclass(frozen=True)
class Config:
    """Everything ingestion reads from YAML and seeds, in one value."""

    sources: dict[str, Source]
    date_min: date
    true_values: tuple[str, ...]
    false_values: tuple[str, ...]
    row_reasons: dict[str, Reason]
    file_reasons: dict[str, Reason]

    def row_reason(self, key: str, **values: object) -> Reason:
        """A row reason from reasons.yaml, filled in."""
        return self.row_reasons[key].format(**values)

    def file_reason(self, key: str, **values: object) -> Reason:
        """A file reason from reasons.yaml, filled in."""
        return self.file_reasons[key].format(**values)


def _read_yaml(path: Path) -> dict[str, Any]:
    # the C loader when PyYAML has it: the pure-Python one takes a tenth of a second per file
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)


def seed_values(seeds_dir: Path, seed: str) -> tuple[str, ...]:
    """The first column of `dbt_project/seeds/<seed>.csv`, in file order."""
    path = seeds_dir / f"{seed}.csv"
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
    except OSError as exc:
        raise ConfigError(f"seed {path} cannot be read: {exc}") from exc
    return tuple(row[0].strip() for row in rows[1:] if row and row[0].strip())


def _file_pattern(pattern: str) -> FilePattern:
    path, _, sheet = pattern.partition("#")
    parts = re.split(r"(\{[a-z]+\})", path)
    regex = ""
    for part in parts:
        if part.startswith("{"):
            name = part[1:-1]
            if name not in _PLACEHOLDERS:
                raise ConfigError(f"unknown placeholder {part} in file pattern {pattern!r}")
            regex += _PLACEHOLDERS[name]
        else:
            regex += re.escape(part)
    suffix = path.rsplit(".", 1)[-1].lower()
    if suffix not in ("csv", "xlsx"):
        raise ConfigError(f"file pattern {pattern!r} is neither .csv nor .xlsx")
    return FilePattern(pattern, re.compile(regex, re.IGNORECASE), suffix, sheet or None)


def _column(name: str, spec: dict[str, Any], seeds_dir: Path) -> Column:
    kind = spec.get("type")
    if kind not in SQL_TYPES:
        raise ConfigError(f"column {name!r}: unknown type {kind!r}")
    values: tuple[str, ...] = tuple(str(v) for v in spec.get("values", ()))
    if "values_from" in spec:
        values = seed_values(seeds_dir, spec["values_from"])
    if kind in ("enum", "enum_list") and not values:
        raise ConfigError(f"column {name!r}: an {kind} needs values or values_from")
    if kind == "digits" and not spec.get("length"):
        raise ConfigError(f"column {name!r}: digits needs a length")
    value_aliases = tuple((str(k), str(v)) for k, v in spec.get("value_aliases", {}).items())
    if any(v not in values or k in values for k, v in value_aliases):
        raise ConfigError(f"column {name!r}: a value alias must map a non-value to a value")
    return Column(
        name=name,
        type=kind,
        aliases=tuple(str(a) for a in spec.get("aliases", ())),
        required=bool(spec.get("required", False)),
        pii=bool(spec.get("pii", False)),
        min=spec.get("min"),
        max=spec.get("max"),
        length=spec.get("length"),
        values=values,
        value_aliases=value_aliases,
    )


def _record_match(
    name: str, spec: dict[str, Any] | None, columns: tuple[Column, ...], reasons: dict[str, Reason]
) -> RecordMatch | None:
    if spec is None:
        return None
    match = RecordMatch(str(spec["key"]), str(spec["date"]), str(spec["reason"]))
    types = {c.name: c.type for c in columns}
    if (
        match.key not in ("id_number", "household_id")
        or match.key not in types
        or types.get(match.date) != "date"
        or match.reason not in reasons
    ):
        raise ConfigError(f"source {name!r}: match {match} names an unknown column or reason")
    return match


def _reasons(block: dict[str, Any], where: str) -> dict[str, Reason]:
    try:
        return {key: Reason(str(v["zh"]), str(v["en"])) for key, v in block.items()}
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{where}: every reason needs zh and en") from exc


def files_digest(paths: Iterable[Path]) -> str:
    """SHA-256 of files' names and contents, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(f"{path.name}\t".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def contract_digest(seeds_dir: Path = SEEDS_DIR) -> str:
    """SHA-256 of what decides how a landing file is loaded: the ingestion code, its YAML files
    and the seeds. Stored rows loaded under another digest are loaded again."""
    paths = sorted(PACKAGE_DIR.glob("*.py")) + sorted(PACKAGE_DIR.glob("*.yaml"))
    return files_digest([*paths, *sorted(seeds_dir.glob("*.csv"))])


def load_config(
    sources_yaml: Path = SOURCES_YAML,
    reasons_yaml: Path = REASONS_YAML,
    seeds_dir: Path = SEEDS_DIR,
) -> Config:
    """Read and check the landing contract, the reasons and the seed lists."""
    spec = _read_yaml(sources_yaml)
    reasons = _read_yaml(reasons_yaml)
    row_reasons = _reasons(reasons["rows"], f"{reasons_yaml} rows")
    file_reasons = _reasons(reasons["files"], f"{reasons_yaml} files")
    sources: dict[str, Source] = {}
    for name, s in spec["sources"].items():
        columns = tuple(_column(c, cs, seeds_dir) for c, cs in s["columns"].items())
        files = tuple(_file_pattern(p) for p in s["files"])
        known = {c.name for c in columns}
        if any("{year}" in f.pattern for f in files):
            known |= {"year", "county_code"}
        unique = tuple(
            UniqueRule(tuple(u["columns"]), str(u["reason"])) for u in s.get("unique", ())
        )
        for rule in unique:
            if not set(rule.columns) <= known or rule.reason not in row_reasons:
                raise ConfigError(
                    f"source {name!r}: unique rule {rule} names an unknown column or reason"
                )
        if any("{month}" in f.pattern for f in files) and "department" not in s:
            raise ConfigError(f"source {name!r}: a monthly source needs a department")
        try:
            aliases = alias_map({c.name: c.aliases for c in columns})
        except ValueError as exc:
            raise ConfigError(f"source {name!r}: {exc}") from exc
        sources[name] = Source(
            name=name,
            description=str(s.get("description", "")),
            raw_table=str(s.get("raw_table", name)),
            files=files,
            columns=columns,
            sheet_aliases=tuple(str(a) for a in s.get("sheet_aliases", ())),
            optional=bool(s.get("optional", False)),
            key=tuple(s.get("key", ())),
            unique=unique,
            aliases=aliases,
            department=str(s["department"]) if "department" in s else None,
            match=_record_match(name, s.get("match"), columns, row_reasons),
        )
    enums = spec.get("enumerations", {})
    return Config(
        sources=sources,
        date_min=date.fromisoformat(str(spec["limits"]["date_min"])),
        true_values=tuple(str(v).lower() for v in enums.get("yes_no_true", ())),
        false_values=tuple(str(v).lower() for v in enums.get("yes_no_false", ())),
        row_reasons=row_reasons,
        file_reasons=file_reasons,
    )
