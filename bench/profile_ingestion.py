"""Where an ingestion group spends its time: the phases of `ingest_group`, profiled.

    python bench/profile_ingestion.py --landing DIR [--group survey] [--out DIR]

Loads the groups the chosen one looks up (regions, survey …) into a scratch restricted store,
then runs the chosen group under cProfile and prints the cumulative time of its phases: file
discovery, reading each file into DuckDB (with the encoding check), the staging views, typing
the cells, the row rules and loading of raw and quarantine, the ledger. Figures for
docs/performance.md; the pipeline itself is run by bench/run.py.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

from ingestion import load

# (label, module, function name) of the phases, as cProfile names them
PHASES = [
    ("discover files", "discovery.py", "discover"),
    # CSV files are read on worker threads, which cProfile does not see: their time is in "stage"
    ("read files into DuckDB (all)", "load.py", "stage"),
    ("  UTF-8 / encoding check (Python)", "readers.py", "_decodes"),
    ("  workbook sheets into tables", "readers.py", "read_sheet_table"),
    ("staging views", "load.py", "build_staging"),
    ("type cells", "load.py", "type_rows"),
    ("row rules, raw and quarantine (all)", "load.py", "check_and_load"),
    ("  insert raw", "load.py", "_insert_raw"),
    ("  insert quarantine", "load.py", "_insert_quarantine"),
    ("  count per file", "load.py", "_count"),
    ("  drop temporaries", "load.py", "_drop_temporaries"),
    ("ledger", "load.py", "ledger"),
    ("begin and commit", "load.py", "_transaction"),
]


def cumulative(stats: pstats.Stats, module: str, function: str) -> float:
    """Cumulative seconds of every function of that name in that module."""
    total = 0.0
    for (filename, _, name), entry in stats.stats.items():  # type: ignore[attr-defined]
        if name == function and filename.endswith(module):
            total += entry[3]
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--group", default="survey", choices=list(load.SOURCE_GROUPS))
    parser.add_argument("--out", type=Path, help="scratch directory (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fangpin-profile-") as scratch:
        out = args.out or Path(scratch)
        restricted = out / "restricted.duckdb"
        restricted.unlink(missing_ok=True)
        needed = set(load.GROUP_NEEDS.get(args.group, ()))
        for group, tables in load.SOURCE_GROUPS.items():
            if group == args.group:
                break
            if needed & set(tables) or group == "regions":
                started = time.perf_counter()
                load.ingest_group(group, args.landing, restricted)
                print(f"loaded {group} first ({time.perf_counter() - started:.1f} s)")
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        result = load.ingest_group(args.group, args.landing, restricted)
        profiler.disable()
        wall = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    rows = sum(row.rows_read for row in result.ledger)
    print(f"group {args.group}: {wall:.1f} s, {len(result.ledger)} files, {rows:,} rows read")
    for label, module, function in PHASES:
        seconds = cumulative(stats, module, function)
        if seconds > 0:
            print(f"  {label:<40}{seconds:>9.1f} s{seconds / wall:>8.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
