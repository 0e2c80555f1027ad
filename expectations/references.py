"""Reference data the suites point at instead of copying it: the landing source contract
(`ingestion/sources.yaml`) and the dbt seeds (`dbt_project/seeds/*.csv`).

A suite writes ``{ref: <path>}`` where a value list, a bound or a pattern is needed:

- ``sources.<source>.<column>.values``: the column's ``values``, or the first column of the
  seed named in its ``values_from``
- ``sources.<source>.<column>.list_regex``: a regex for an ``enum_list`` cell, one or more of
  those values joined by 、 (how the raw store keeps them)
- ``sources.<source>.<column>.min`` / ``.max`` / ``.length``: the declared bounds
- ``seeds.<seed>.<column>``: one column of a seed, as a list
- ``limits.<name>``: a value from the ``limits`` block
"""

from __future__ import annotations

import copy
import csv
import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SOURCES_YAML = PROJECT_ROOT / "ingestion" / "sources.yaml"
SEEDS_DIR = PROJECT_ROOT / "dbt_project" / "seeds"
# the Great Expectations suites of the landing batches, one YAML file per raw table
SUITES_DIR = Path(__file__).resolve().parent / "gx"

# how ingestion stores an enum_list cell (docs/architecture.md: "VARCHAR joined by 、")
ENUM_LIST_SEPARATOR = "、"


def load_sources(sources_yaml: Path = SOURCES_YAML) -> dict[str, Any]:
    """The parsed landing source contract (a copy of its one parse per version of the file:
    every suite, and every reference in it, asks for it again)."""
    stat = Path(sources_yaml).stat()
    return copy.deepcopy(_parsed_sources(str(sources_yaml), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=4)
def _parsed_sources(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def source_spec(source: str, sources_yaml: Path = SOURCES_YAML) -> dict[str, Any]:
    """One source's block of sources.yaml (columns, key, optional …)."""
    sources = load_sources(sources_yaml)["sources"]
    if source not in sources:
        raise KeyError(f"unknown landing source {source!r}; known: {', '.join(sources)}")
    return sources[source]


def pii_columns(source: str, sources_yaml: Path = SOURCES_YAML) -> frozenset[str]:
    """Columns declared `pii: true` for a source: their values are masked in every outcome."""
    columns = source_spec(source, sources_yaml)["columns"]
    return frozenset(name for name, spec in columns.items() if spec.get("pii"))


def seed_column(seed: str, column: str | None = None, seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """Values of one seed column (the first column when none is named), in file order."""
    with open(seeds_dir / f"{seed}.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None:
            raise ValueError(f"seed {seed!r} has no header")
        name = column or reader.fieldnames[0]
        if name not in reader.fieldnames:
            raise KeyError(f"seed {seed!r} has no column {name!r}")
        return [row[name] for row in reader]


def enum_values(
    source: str, column: str, sources_yaml: Path = SOURCES_YAML, seeds_dir: Path = SEEDS_DIR
) -> list[str]:
    """Allowed values of an enum / enum_list column, from sources.yaml or the seed it names."""
    spec = source_spec(source, sources_yaml)["columns"][column]
    if "values" in spec:
        return [str(v) for v in spec["values"]]
    if "values_from" in spec:
        return seed_column(spec["values_from"], None, seeds_dir)
    raise KeyError(f"{source}.{column} declares no values or values_from")


def list_regex(values: list[str], separator: str = ENUM_LIST_SEPARATOR) -> str:
    """A regex matching one or more of `values` joined by `separator`."""
    one = "(?:" + "|".join(re.escape(v) for v in values) + ")"
    return f"^{one}(?:{re.escape(separator)}{one})*$"


def resolve_ref(path: str, sources_yaml: Path = SOURCES_YAML, seeds_dir: Path = SEEDS_DIR) -> Any:
    """The value a `{ref: path}` in a suite stands for (see the module docstring)."""
    head, _, rest = path.partition(".")
    parts = rest.split(".") if rest else []
    if head == "sources" and len(parts) == 3:
        source, column, attribute = parts
        if attribute == "values":
            return enum_values(source, column, sources_yaml, seeds_dir)
        if attribute == "list_regex":
            return list_regex(enum_values(source, column, sources_yaml, seeds_dir))
        spec = source_spec(source, sources_yaml)["columns"][column]
        if attribute in spec:
            return spec[attribute]
        raise KeyError(f"{path}: {source}.{column} declares no {attribute!r}")
    if head == "seeds" and len(parts) == 2:
        return seed_column(parts[0], parts[1], seeds_dir)
    if head == "limits" and len(parts) == 1:
        return load_sources(sources_yaml)["limits"][parts[0]]
    raise ValueError(
        f"cannot resolve ref {path!r}: use sources.<source>.<column>.<attribute>, "
        "seeds.<seed>.<column> or limits.<name>"
    )


def resolve_refs(value: Any, sources_yaml: Path = SOURCES_YAML, seeds_dir: Path = SEEDS_DIR) -> Any:
    """`value` with every `{ref: path}` mapping inside it replaced by what it points at."""
    if isinstance(value, Mapping):
        if set(value) == {"ref"}:
            return resolve_ref(str(value["ref"]), sources_yaml, seeds_dir)
        return {k: resolve_refs(v, sources_yaml, seeds_dir) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_refs(v, sources_yaml, seeds_dir) for v in value]
    return value


def mask(value: Any) -> str | None:
    """A personal value shown without giving it away: 张* for a name, the 6-digit division code
    and stars for an ID number, the first three digits of a phone number."""
    if value is None:
        return None
    text = str(value)
    keep = min(6, max(1, len(text) // 3))
    return text[:keep] + "*" * (len(text) - keep)
