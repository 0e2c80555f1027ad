"""`fangpin` command line: generate a landing area, run the pipeline through Dagster, report.

`fangpin run` executes the same Dagster job as `dagster dev` (in-process, resources pointed at
`--landing` and `--out`); there is no second pipeline for the command line. After the job it
renders the latest quarter's report with the function the Dagster report asset calls.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.environment import DEMO_SALT, ENV_OUT, ENV_SALT, set_paths
from orchestration.lock import RunLockedError, run_lock

if TYPE_CHECKING:
    from reporting.report import ReportFiles


class UsageError(Exception):
    """A problem with what the user asked for, reported without a traceback."""


def _years(text: str) -> list[int]:
    if "-" in text:
        first, last = (int(part) for part in text.split("-", 1))
        return list(range(first, last + 1))
    return [int(part) for part in text.split(",")]


def cmd_generate(args: argparse.Namespace) -> int:
    from ingestion.generator import generate

    summary = generate(
        out_dir=Path(args.out),
        households=args.households,
        seed=args.seed,
        years=_years(args.years),
        fmt=args.format,
        error_rate=args.error_rate,
    )
    print(f"landing area written to {Path(args.out).resolve()}")
    print(summary)
    return 0


def resolve_salt(demo: bool) -> str:
    """The pseudonymisation salt: from FANGPIN_SALT; the demo salt only for a demo run."""
    salt = os.environ.get(ENV_SALT, "")
    if demo:
        if salt and salt != DEMO_SALT:
            raise UsageError("--demo uses the demo salt; unset FANGPIN_SALT for a demo run")
        return DEMO_SALT
    if not salt:
        raise UsageError(
            "FANGPIN_SALT is not set: set it to the bureau's secret pseudonymisation salt "
            "(or use --demo for a demonstration run with the demo salt)"
        )
    if salt == DEMO_SALT:
        raise UsageError("FANGPIN_SALT is the demo salt: it is accepted only with --demo")
    return salt


def cmd_run(args: argparse.Namespace) -> int:
    from orchestration.run import run_pipeline

    landing = Path(args.landing)
    if not landing.is_dir():
        raise UsageError(f"landing area {landing} does not exist or is not a directory")
    os.environ[ENV_SALT] = resolve_salt(args.demo)
    set_paths(landing, Path(args.out))
    outcome = run_pipeline(landing, Path(args.out), record=args.record)
    print(outcome.summary_text)
    if not outcome.success:
        print(f"fangpin run failed: {outcome.error}", file=sys.stderr)
        return 1
    try:
        files = render_latest_report(Path(args.out))
    except UsageError as exc:
        print(f"fangpin run: the quarterly report was not rendered: {exc}", file=sys.stderr)
        return 1
    print(f"{'report ' + files.quarter + ':':<26}{files.html}")
    print(f"{'focus lists ' + files.quarter + ':':<26}{files.xlsx}")
    return 0


def render_latest_report(out: Path) -> ReportFiles:
    """The report of the latest quarter of the warehouse in `out`, into `out`/reports."""
    from orchestration.resources import FangpinPaths
    from reporting.fonts import CjkFontMissingError
    from reporting.marts import ReportInputError, latest_quarter
    from reporting.report import render_report

    paths = FangpinPaths(landing_dir="", out_dir=str(out))
    try:
        with run_lock(out):
            quarter = latest_quarter(paths.warehouse_db)
            return render_report(paths.warehouse_db, quarter, paths.reports_dir)
    except (ReportInputError, CjkFontMissingError) as exc:
        raise UsageError(str(exc)) from exc


def default_report_warehouse() -> Path:
    """The analysts' published warehouse of the default output directory."""
    return Path(os.environ[ENV_OUT]) / "published" / "warehouse.duckdb"


def cmd_report(args: argparse.Namespace) -> int:
    from reporting.fonts import CjkFontMissingError
    from reporting.marts import ReportInputError, open_warehouse, quarters
    from reporting.report import render_report

    warehouse = Path(args.warehouse) if args.warehouse else default_report_warehouse()
    try:
        if args.quarter == ["all"]:
            with open_warehouse(warehouse) as con:
                wanted = quarters(con)
        else:
            wanted = args.quarter
        for quarter in wanted:
            files = render_report(warehouse, quarter, Path(args.out), lang=args.lang)
            print(f"{files.quarter}: {files.html}")
            print(f"{files.quarter}: {files.xlsx}")
    except (ReportInputError, CjkFontMissingError) as exc:
        raise UsageError(str(exc)) from exc
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fangpin", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a generated landing area (SPEC §3 layout)")
    gen.add_argument("--households", type=int, default=20_000)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--years", default="2021-2023", help="e.g. 2021-2023 or 2022,2023")
    gen.add_argument("--out", required=True, help="landing directory to write")
    gen.add_argument("--format", choices=["csv", "xlsx", "mixed"], default="mixed")
    gen.add_argument(
        "--error-rate", type=float, default=0.002, help="share of rows with an injected error"
    )
    gen.set_defaults(func=cmd_generate)

    run = sub.add_parser("run", help="ingest a landing area and build the warehouse")
    run.add_argument("--landing", required=True, help="landing directory (SPEC §3 layout)")
    run.add_argument("--out", required=True, help="output directory for the stores and summary")
    run.add_argument("--demo", action="store_true", help="demonstration run with the demo salt")
    run.add_argument(
        "--record",
        action="store_true",
        help="record the run in the Dagster instance of DAGSTER_HOME, so that the Dagster UI "
        "lists it (about 20 s slower; the run log and summary are written either way)",
    )
    run.set_defaults(func=cmd_run)

    report = sub.add_parser(
        "report", help="render the quarterly assessment report (HTML and xlsx) from the marts"
    )
    report.add_argument(
        "--quarter",
        required=True,
        nargs="+",
        help="quarter(s) such as 2023Q4, or `all` for every quarter of the warehouse",
    )
    report.add_argument("--out", required=True, help="directory for the report files")
    report.add_argument(
        "--warehouse",
        help="warehouse file (default: the published one, $FANGPIN_OUT/published/warehouse.duckdb)",
    )
    report.add_argument("--lang", choices=["zh", "en"], default="zh", help="language (default zh)")
    report.set_defaults(func=cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"fangpin: {exc}", file=sys.stderr)
        return 2
    except RunLockedError as exc:
        print(f"fangpin: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
