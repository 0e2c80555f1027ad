"""Finding landing files: which paths feed which source, and which match nothing (SPEC §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ingestion.config import Config


@dataclass(frozen=True)
class SheetTarget:
    """A source a landing file feeds, and the sheet named by its pattern (xlsx only)."""

    source: str
    sheet: str | None


@dataclass(frozen=True)
class LandingFile:
    """A landing file that matches at least one source pattern."""

    path: Path
    file: str  # relative to the landing directory, "/"-separated
    kind: str  # "csv" or "xlsx"
    targets: tuple[SheetTarget, ...]
    year: int | None = None
    county_in_path: str | None = None
    month: str | None = None  # YYYY-MM of a monthly push, as written in the path

    @property
    def county_code(self) -> str | None:
        """The 6-digit county of the path; None when the 12-digit form is not a county's."""
        code = self.county_in_path
        if code is None:
            return None
        if len(code) == 12:
            return code[:6] if code.endswith("000000") else None
        return code

    @property
    def record_month(self) -> date | None:
        """First day of the path's month; None when there is none or it is no real month."""
        if self.month is None:
            return None
        year, month = self.month.split("-")
        return date(int(year), int(month), 1) if 1 <= int(month) <= 12 else None


def landing_files(landing_dir: Path) -> list[str]:
    """Every file under the landing directory, relative and "/"-separated, sorted."""
    return sorted(
        p.relative_to(landing_dir).as_posix() for p in landing_dir.rglob("*") if p.is_file()
    )


def match_file(landing_dir: Path, rel: str, config: Config) -> LandingFile | None:
    """The landing file at `rel` (relative, "/"-separated) with the sources it feeds; None when
    it matches no source pattern."""
    targets: list[SheetTarget] = []
    found: dict[str, str | None] = {}
    kind = ""
    for source in config.sources.values():
        for pattern in source.files:
            m = pattern.regex.fullmatch(rel)
            if m is None:
                continue
            targets.append(SheetTarget(source.name, pattern.sheet))
            kind = pattern.kind
            found = m.groupdict()
    if not targets:
        return None
    year = found.get("year")
    return LandingFile(
        path=landing_dir / rel,
        file=rel,
        kind=kind,
        targets=tuple(targets),
        year=int(year) if year else None,
        county_in_path=found.get("county"),
        month=found.get("month"),
    )


def discover(landing_dir: Path, config: Config) -> tuple[list[LandingFile], list[str]]:
    """The files that match a source pattern, and the files that match none."""
    matched: list[LandingFile] = []
    ignored: list[str] = []
    for rel in landing_files(landing_dir):
        landing = match_file(landing_dir, rel, config)
        if landing is None:
            ignored.append(rel)
        else:
            matched.append(landing)
    return matched, ignored
