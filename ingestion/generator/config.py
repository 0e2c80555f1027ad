"""Calibration (ingestion/generator.yaml) and the reference lists shared with dbt (seeds)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

CONFIG_PATH = Path(__file__).resolve().parent.parent / "generator.yaml"
SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Reference:
    """Enumerations from the dbt seeds: risk types, measure types and what each answers."""

    risk_types: tuple[str, ...]
    measure_types: tuple[str, ...]
    categories: tuple[str, ...]
    answers: np.ndarray  # bool (measure type, risk type): the measure answers the risk

    def risk_index(self, name: str) -> int:
        return self.risk_types.index(name)

    def measure_index(self, name: str) -> int:
        return self.measure_types.index(name)


def _seed_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_reference(seeds_dir: Path = SEEDS_DIR) -> Reference:
    """Read risk types, measure types, categories and the answers mapping from the seeds."""
    risk_types = tuple(r["risk_type"] for r in _seed_rows(seeds_dir / "risk_types.csv"))
    measure_types = tuple(r["measure_type"] for r in _seed_rows(seeds_dir / "measure_types.csv"))
    categories = tuple(r["category"] for r in _seed_rows(seeds_dir / "monitoring_categories.csv"))
    answers = np.zeros((len(measure_types), len(risk_types)), dtype=bool)
    for row in _seed_rows(seeds_dir / "measure_type_answers.csv"):
        answers[measure_types.index(row["measure_type"]), risk_types.index(row["risk_type"])] = True
    return Reference(risk_types, measure_types, categories, answers)


@dataclass(frozen=True)
class SectorReference:
    """The sector departments and the rule thresholds, from the dbt seeds (SPEC §3.6, §6)."""

    risk_of_department: dict[str, str]  # department code → the risk type its rule raises
    thresholds: dict[str, float]  # rule_thresholds.csv: name → value


def load_sector_reference(seeds_dir: Path = SEEDS_DIR) -> SectorReference:
    """Read the departments and thresholds the sector rules of the warehouse apply."""
    departments = _seed_rows(seeds_dir / "sector_departments.csv")
    thresholds = _seed_rows(seeds_dir / "rule_thresholds.csv")
    return SectorReference(
        {r["department"]: r["risk_type"] for r in departments},
        {r["threshold"]: float(r["value"]) for r in thresholds},
    )


def load_config(path: Path = CONFIG_PATH, reference: Reference | None = None) -> dict[str, Any]:
    """Read the calibration YAML and check its enumerations against the seeds."""
    with path.open(encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    if reference is not None:
        _check_names(cfg, reference)
    return cfg


def _check_names(cfg: dict[str, Any], ref: Reference) -> None:
    mon, mea = cfg["monitoring"], cfg["measures"]
    used = {
        "risk type": [
            *cfg["income"]["shock_kinds"],
            *mon["risk_weights"],
            *cfg["applications"]["subjects"],
        ],
        "measure type": [*mea["household_shares"], *mea["amounts"], *mea["details"]],
        "category": [c for shares in mon["category"].values() for c in shares],
    }
    known = {"risk type": ref.risk_types, "measure type": ref.measure_types}
    known["category"] = ref.categories
    unknown = [
        f"{kind} {name}"
        for kind, names in used.items()
        for name in names
        if name not in known[kind]
    ]
    if unknown:
        raise ValueError(f"generator.yaml names values missing from the seeds: {unknown}")
