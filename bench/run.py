"""Province-scale benchmark of `fangpin run`: wall time, CPU time and peak memory per stage.

    python bench/run.py --sizes 24000,240000,2400000 [--format csv|xlsx] [--data-dir DIR] [--keep]

For each size (households per survey year; survey years 2021–2023, one province) it generates a
landing area with `fangpin generate`, or reuses the one generated before with the same size,
seed, format and error rate (under --data-dir, default bench/data/), then

1. runs the whole pipeline as a subprocess, `fangpin run --demo --landing … --out …` (the real
   command line, the one code path), with a Dagster home of its own so that no other run on
   the machine holds the DuckDB pool, and samples the process tree with psutil every
   --interval seconds (RSS summed over the tree, CPU time of the tree);
2. splits the run into stages by the `steps` of `<out>/run_summary.json` (Dagster's start and
   end time of every step): start-up (imports, definitions) until the first step, ingestion per
   source group, GX checks, accounting checks, dbt build, Soda checks, publication, Dagster's
   time between steps, the run summary, then the quarterly report the command renders;
3. reruns it after one county's survey file changed (one income figure of the latest year),
   into the same output directory, and restores the file;
4. for CSV landing areas, runs the floor (bench/floor.py: DuckDB alone, same row rules, same
   three spine marts, 3 GB memory limit) and compares its marts with the pipeline's.

It prints a plain-text table per size, the scaling exponents between consecutive sizes
(log(t2/t1) / log(n2/n1)), the rerun's share of a full run, the pipeline's ratio to the floor,
the slowest dbt nodes and the targets of docs/performance.md; the figures go to
`<results-dir>/<timestamp>.json` (default bench/results/) with the table beside it (.txt).
The machine's load average is recorded with every run: figures taken on a busy machine are
slower than the code.

Exit code 0 when every pipeline run succeeded, 1 otherwise (the table is printed either way).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import psutil

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
BIN_DIR = Path(sys.executable).parent
FANGPIN = BIN_DIR / "fangpin"
FLOOR = BENCH_DIR / "floor.py"
YEARS = "2021-2023"
MB = 1024 * 1024

# stage labels, in the order the table shows them; ingestion groups are inserted after STARTUP
STARTUP = "startup (imports, definitions)"
GX = "GX checks"
ACCOUNTING = "accounting checks"
DBT = "dbt build"
SODA = "Soda checks"
PUBLISH = "publish"
BETWEEN = "Dagster between steps"
SUMMARY = "run summary"
REPORT = "report"
TOTAL = "total"
FIXED_STAGES = [GX, ACCOUNTING, DBT, SODA, PUBLISH, BETWEEN, SUMMARY, REPORT]
SURVEY_SOURCES = ("households", "members", "income")
# stages that go over every row read: their rows/s is all rows read / their wall time
ROWS_STAGES = (GX, ACCOUNTING, DBT, SODA, PUBLISH)

# targets of docs/performance.md (province, 2.4 M households per year)
PROVINCE = 2_400_000
TARGET_WALL_CSV_S = 120.0
TARGET_WALL_XLSX_S = 240.0
TARGET_PEAK_RSS_MB = 4096.0
TARGET_EXPONENT = 1.1
TARGET_RERUN_SHARE = 0.20


# -- sampling --------------------------------------------------------------------------------


@dataclass
class Sample:
    t: float  # Unix time
    rss: int  # bytes, summed over the process tree
    cpu: float  # seconds, user + system of the tree (live processes and their reaped children)


class TreeSampler:
    """Samples RSS and CPU time of a process and all its descendants in a background thread."""

    def __init__(self, pid: int, interval: float, rss_limit: int | None = None) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.rss_limit = rss_limit
        self.exceeded: Sample | None = None
        self.samples: list[Sample] = []
        self.max_load = os.getloadavg()[0]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._procs: dict[int, psutil.Process] = {pid: self.root}

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _tree(self) -> list[psutil.Process]:
        try:
            children = self.root.children(recursive=True)
        except psutil.Error:
            children = []
        procs = [self.root]
        for child in children:
            # keep one Process object per pid: psutil checks it is still the same process
            procs.append(self._procs.setdefault(child.pid, child))
        return procs

    def sample(self) -> Sample | None:
        rss, cpu, alive = 0, 0.0, False
        now = time.time()
        for proc in self._tree():
            try:
                with proc.oneshot():
                    times = proc.cpu_times()
                    rss += proc.memory_info().rss
                cpu += times.user + times.system + times.children_user + times.children_system
                alive = True
            except psutil.Error:
                continue
        return Sample(now, rss, cpu) if alive else None

    def _run(self) -> None:
        while not self._stop.is_set():
            sample = self.sample()
            if sample is not None:
                self.samples.append(sample)
                if self.rss_limit and sample.rss > self.rss_limit and self.exceeded is None:
                    # the machine is shared: stop a run before it takes all of the memory
                    self.exceeded = sample
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self.root.pid, signal.SIGKILL)
            self.max_load = max(self.max_load, os.getloadavg()[0])
            self._stop.wait(self.interval)


@dataclass
class Measured:
    """A subprocess run: exit code, wall and CPU time, samples, load average, output."""

    returncode: int
    started: float
    ended: float
    cpu_s: float
    samples: list[Sample]
    load_start: float
    load_end: float
    load_max: float
    output: str
    aborted: str | None = None  # why the benchmark killed the command

    @property
    def wall_s(self) -> float:
        return self.ended - self.started

    @property
    def peak_rss_mb(self) -> float:
        return max((s.rss for s in self.samples), default=0) / MB


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(
    command: list[str],
    env: dict[str, str],
    log: Path,
    interval: float,
    rss_limit_mb: float | None = None,
) -> Measured:
    """Run `command` in a process group of its own, sampling its process tree; its output goes
    to `log`. The group is killed when the tree's RSS goes above `rss_limit_mb`."""
    load_start = os.getloadavg()[0]
    cpu_before = _children_cpu()
    limit = int(rss_limit_mb * MB) if rss_limit_mb else None
    with log.open("w", encoding="utf-8") as out:
        started = time.time()
        proc = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        with TreeSampler(proc.pid, interval, limit) as sampler:
            returncode = proc.wait()
            ended = time.time()
    aborted = None
    if sampler.exceeded is not None:
        aborted = (
            f"killed by the benchmark: RSS of the process tree {sampler.exceeded.rss / MB:,.0f} MB "
            f"above the limit of {rss_limit_mb:,.0f} MB"
        )
    return Measured(
        returncode=returncode,
        started=started,
        ended=ended,
        # every descendant is reaped by the time the command exits: its CPU time is all here
        cpu_s=_children_cpu() - cpu_before,
        samples=sampler.samples,
        load_start=load_start,
        load_end=os.getloadavg()[0],
        load_max=max(sampler.max_load, os.getloadavg()[0]),
        output=log.read_text(encoding="utf-8", errors="replace"),
        aborted=aborted,
    )


# -- stages ----------------------------------------------------------------------------------


def stage_of_step(step: str) -> str:
    """The stage a Dagster step belongs to, by its key."""
    if step.startswith("ingest_"):
        return "ingestion: " + step.removeprefix("ingest_")
    if step.endswith("_rows_accounted_for"):
        return ACCOUNTING
    if "_gx_" in step:
        return GX
    if step.startswith("soda_"):
        return SODA
    if step.startswith("fangpin_dbt_assets") or step.startswith("dbt"):
        return DBT
    if step.startswith("published"):
        return PUBLISH
    if "report" in step:
        return REPORT
    return "other: " + step


@dataclass
class Interval:
    start: float
    end: float
    stage: str
    step: str | None = None  # the Dagster step, for the intervals of steps


def intervals(run: Measured, steps: list[dict[str, Any]], summary_written: float) -> list[Interval]:
    """Time intervals of the run, each with its stage; gaps between steps are Dagster's own."""
    timed = [s for s in steps if "start" in s and "end" in s]
    if not timed:
        return [Interval(run.started, run.ended, STARTUP)]
    first = min(s["start"] for s in timed)
    last = max(s["end"] for s in timed)
    spans = [Interval(run.started, first, STARTUP)]
    for step in sorted(timed, key=lambda s: s["start"]):
        if step["start"] > spans[-1].end:
            spans.append(Interval(spans[-1].end, step["start"], BETWEEN))
        spans.append(
            Interval(step["start"], step["end"], stage_of_step(step["step"]), step["step"])
        )
    summary_end = min(max(summary_written, last), run.ended)
    spans.append(Interval(last, summary_end, SUMMARY))
    spans.append(Interval(summary_end, run.ended, REPORT))
    return spans


def _stage_at(spans: list[Interval], t: float) -> str:
    for span in spans:
        if span.start <= t < span.end:
            return span.stage
    return REPORT if t >= spans[-1].end else STARTUP


@dataclass
class StageFigures:
    stage: str
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    rows: int = 0
    rows_per_s: float | None = None


def stage_figures(
    run: Measured, spans: list[Interval], rows_by_group: dict[str, int]
) -> list[StageFigures]:
    """Wall, CPU and peak RSS per stage. Rows/s: an ingestion group's own rows read; for the
    checks, dbt, publication and the total, every row read."""
    figures: dict[str, StageFigures] = {}
    groups = [s.stage for s in spans if s.stage.startswith("ingestion: ")]
    for stage in [STARTUP, *dict.fromkeys(groups), *FIXED_STAGES]:
        figures[stage] = StageFigures(stage)
    for span in spans:
        figures.setdefault(span.stage, StageFigures(span.stage)).wall_s += span.end - span.start
    for before, after in zip(run.samples, run.samples[1:], strict=False):
        stage = _stage_at(spans, (before.t + after.t) / 2)
        figures[stage].cpu_s += max(after.cpu - before.cpu, 0.0)
    for sample in run.samples:
        stage = figures[_stage_at(spans, sample.t)]
        stage.peak_rss_mb = max(stage.peak_rss_mb, sample.rss / MB)
    total_rows = sum(rows_by_group.values())
    for stage in figures.values():
        if stage.stage.startswith("ingestion: "):
            stage.rows = rows_by_group.get(stage.stage.removeprefix("ingestion: "), 0)
        elif stage.stage in ROWS_STAGES:
            stage.rows = total_rows
        if stage.wall_s > 0 and stage.rows:
            stage.rows_per_s = stage.rows / stage.wall_s
    result = list(figures.values())
    result.append(
        StageFigures(
            TOTAL,
            wall_s=run.wall_s,
            cpu_s=run.cpu_s,
            peak_rss_mb=run.peak_rss_mb,
            rows=total_rows,
            rows_per_s=total_rows / run.wall_s if run.wall_s > 0 else None,
        )
    )
    return result


def step_figures(run: Measured, spans: list[Interval]) -> list[dict[str, Any]]:
    """CPU time and peak RSS of every Dagster step (its wall time is in `steps`)."""
    result = []
    for span in spans:
        if span.step is None:
            continue
        inside = [s for s in run.samples if span.start <= s.t < span.end]
        pairs = zip(run.samples, run.samples[1:], strict=False)
        cpu = sum(
            max(b.cpu - a.cpu, 0.0) for a, b in pairs if span.start <= (a.t + b.t) / 2 < span.end
        )
        result.append(
            {
                "step": span.step,
                "stage": span.stage,
                "wall_s": round(span.end - span.start, 3),
                "cpu_s": round(cpu, 3),
                "peak_rss_mb": round(max((s.rss for s in inside), default=0) / MB, 1),
            }
        )
    return result


def group_of_source(source: str) -> str:
    """The ingestion group (Dagster asset `ingest_<group>`) that loads a ledger source."""
    if source in SURVEY_SOURCES:
        return "survey"
    if source.startswith("sector_"):
        return "sector"
    return source


# -- dbt -------------------------------------------------------------------------------------


def dbt_run_results(out: Path) -> Path | None:
    """run_results.json of the dbt build of the run that wrote the stores of `out`."""
    # imported here: the benchmark itself stays light, the pipeline runs in a subprocess
    from orchestration.resources import FangpinPaths

    target = FangpinPaths(landing_dir="", out_dir=str(out)).dbt_target_dir
    path = target / "run_results.json"
    return path if path.exists() else None


def dbt_profile(path: Path | None, top: int) -> dict[str, Any]:
    """The slowest dbt nodes and the time per resource type (summed over dbt's threads)."""
    if path is None or not path.exists():
        return {}
    results = json.loads(path.read_text(encoding="utf-8"))
    nodes = results.get("results", [])
    by_type: dict[str, dict[str, float]] = {}
    for node in nodes:
        kind = node["unique_id"].split(".", 1)[0]
        entry = by_type.setdefault(kind, {"nodes": 0, "execution_s": 0.0})
        entry["nodes"] += 1
        entry["execution_s"] = round(entry["execution_s"] + node["execution_time"], 3)
    slowest = sorted(nodes, key=lambda n: -n["execution_time"])[:top]
    return {
        "elapsed_s": round(results.get("elapsed_time", 0.0), 3),
        "threads": (results.get("args") or {}).get("threads"),
        "by_resource_type": by_type,
        "slowest": [
            {
                "node": n["unique_id"].split(".", 2)[-1],
                "type": n["unique_id"].split(".", 1)[0],
                "execution_s": round(n["execution_time"], 3),
                "status": n["status"],
            }
            for n in slowest
        ],
        "run_results": str(path),
    }


# -- landing areas ---------------------------------------------------------------------------


@dataclass
class Landing:
    path: Path
    size: int
    fmt: str
    reused: bool
    generate_wall_s: float | None
    manifest: dict[str, Any] = field(default_factory=dict)


def landing_key(size: int, seed: int, fmt: str, error_rate: float) -> str:
    return f"landing-{size}-seed{seed}-{fmt}-err{error_rate:g}"


def _manifest_path(landing: Path) -> Path:
    return landing.parent / f"{landing.name}.manifest.json"


def _stamp_path(landing: Path) -> Path:
    return landing.parent / f"{landing.name}.generator.json"


def generator_fingerprint() -> str:
    """A digest of the generator's code, calibration and the seeds it reads its lists from:
    a landing area is reused only while they are unchanged."""
    digest = hashlib.sha256()
    files = [
        *sorted((PROJECT_DIR / "ingestion" / "generator").glob("*.py")),
        PROJECT_DIR / "reporting" / "xlsx.py",  # the workbooks' writer
        PROJECT_DIR / "ingestion" / "generator.yaml",
        *sorted((PROJECT_DIR / "dbt_project" / "seeds").glob("*.csv")),
    ]
    for path in files:
        if path.exists():
            digest.update(path.relative_to(PROJECT_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _backup_path(landing: Path) -> Path:
    return landing.parent / f"{landing.name}.rerun-backup.json"


def prepare_landing(
    data_dir: Path, size: int, seed: int, fmt: str, error_rate: float, env: dict[str, str]
) -> Landing:
    """The landing area of a size: reused when generated before with the same parameters."""
    path = data_dir / landing_key(size, seed, fmt, error_rate)
    restore_changed_file(path)
    manifest_path, stamp_path = _manifest_path(path), _stamp_path(path)
    fingerprint = generator_fingerprint()
    if manifest_path.exists() and stamp_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        wanted = {"seed": seed, "format": fmt, "error_rate": error_rate}
        wanted["years"] = [2021, 2022, 2023]
        same = all(manifest.get(k) == v for k, v in wanted.items())
        if same and stamp.get("generator") == fingerprint:
            return Landing(path, size, fmt, True, None, manifest)
    if path.exists():
        shutil.rmtree(path)  # generated by another version of the generator, or interrupted
    manifest_path.unlink(missing_ok=True)
    stamp_path.unlink(missing_ok=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    command = [
        str(FANGPIN),
        "generate",
        "--households",
        str(size),
        "--seed",
        str(seed),
        "--years",
        YEARS,
        "--format",
        fmt,
        "--error-rate",
        str(error_rate),
        "--out",
        str(path),
    ]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.time() - started
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    stamp_path.write_text(json.dumps({"generator": fingerprint}), encoding="utf-8")
    return Landing(path, size, fmt, False, wall, manifest)


# -- the rerun after one county's file changed -----------------------------------------------

WAGE_HEADERS = {"工资性收入", "工资性收入（元）", "工资性收入(元)", "wage_income"}
INCOME_SHEETS = {"收入信息", "income", "收入"}


def changed_county_file(landing: Path) -> Path:
    """The latest survey year's file (CSV: income.csv) of the first county."""
    survey = landing / "survey"
    year = max(p for p in survey.iterdir() if p.is_dir() and p.name.isdigit())
    first = sorted(year.iterdir())[0]
    return first / "income.csv" if first.is_dir() else first


def _bump_csv(path: Path) -> None:
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    column = next(i for i, name in enumerate(header) if name.strip() in WAGE_HEADERS)
    cells = lines[1].rstrip("\r\n").split(",")
    ending = lines[1][len(lines[1].rstrip("\r\n")) :]
    cells[column] = f"{Decimal(cells[column] or '0') + 1:.2f}"
    lines[1] = ",".join(cells) + ending
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "".join(lines).encode("utf-8"))


def _bump_xlsx(path: Path) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = next(ws for ws in workbook.worksheets if ws.title.strip() in INCOME_SHEETS)
    header = [str(c.value or "").strip() for c in sheet[1]]
    column = next(i for i, name in enumerate(header) if name in WAGE_HEADERS) + 1
    cell = sheet.cell(row=2, column=column)
    cell.value = float(cell.value or 0) + 1
    workbook.save(path)


def change_county_file(landing: Path) -> Path:
    """Add one yuan to the first household's wage income in one county's latest survey; the
    original bytes and times are kept beside the landing area until restored."""
    path = changed_county_file(landing)
    stat = path.stat()
    backup = {
        "file": str(path.relative_to(landing)),
        "bytes_hex": path.read_bytes().hex(),
        "times_ns": [stat.st_atime_ns, stat.st_mtime_ns],
    }
    _backup_path(landing).write_text(json.dumps(backup), encoding="utf-8")
    if path.suffix == ".xlsx":
        _bump_xlsx(path)
    else:
        _bump_csv(path)
    return path


def restore_changed_file(landing: Path) -> None:
    """Put back a file changed for a rerun (also after an interrupted benchmark)."""
    backup_path = _backup_path(landing)
    if not backup_path.exists():
        return
    backup = json.loads(backup_path.read_text(encoding="utf-8"))
    path = landing / backup["file"]
    path.write_bytes(bytes.fromhex(backup["bytes_hex"]))
    os.utime(path, ns=tuple(backup["times_ns"]))
    backup_path.unlink()


# -- pipeline and floor runs -----------------------------------------------------------------


def child_env() -> dict[str, str]:
    """The environment of `fangpin`: a demo run, so no salt or paths of our own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FANGPIN_")}
    env["PATH"] = f"{BIN_DIR}{os.pathsep}{env.get('PATH', '')}"
    return env


def make_dagster_home(path: Path) -> Path:
    """A Dagster home with the project's instance configuration and fresh storage."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    shutil.copy(PROJECT_DIR / "dagster_home" / "dagster.yaml", path / "dagster.yaml")
    return path


LOG_STEP = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}) - dagster - \w+ - [^ ]+ - [^ ]+ - \d+ - "
    r"(?P<step>[^ ]+) - (?P<event>STEP_START|STEP_SUCCESS|STEP_FAILURE) - "
)


def steps_from_log(run_log: Path, ended: float) -> list[dict[str, Any]]:
    """Steps with start and end (to the second) from Dagster's lines in the run log: for a run
    that ended before writing its summary. A step still running ends when the run `ended`."""
    if not run_log.exists():
        return []
    steps: dict[str, dict[str, Any]] = {}
    for line in run_log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = LOG_STEP.match(line)
        if match is None:
            continue
        stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S %z").timestamp()
        step = steps.setdefault(match["step"], {"step": match["step"], "status": "started"})
        if match["event"] == "STEP_START":
            step["start"] = stamp
        else:
            step["end"] = stamp + 1.0  # the second it ended in, to its end
            step["status"] = match["event"].removeprefix("STEP_").lower()
    for step in steps.values():
        step.setdefault("end", ended)
        if "start" in step:
            step["start"] = min(step["start"], step["end"])
    return sorted(steps.values(), key=lambda s: s.get("start", 0.0))


def run_id_from_log(run_log: Path) -> str:
    """The Dagster run id named in the run log's event lines."""
    if run_log.exists():
        with run_log.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split(" - ")
                if len(parts) > 4 and parts[1] == "dagster" and len(parts[4]) == 36:
                    return parts[4]
    return ""


def run_pipeline(
    landing: Path, out: Path, env: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    """`fangpin run` once, measured; its figures per stage."""
    out.mkdir(parents=True, exist_ok=True)
    summary_path = out / "run_summary.json"
    summary_path.unlink(missing_ok=True)
    command = [str(FANGPIN), "run", "--demo", "--landing", str(landing), "--out", str(out)]
    run = measure(command, env, out / "bench-cli.log", args.interval, args.rss_limit_mb)
    summary: dict[str, Any] = {}
    summary_written = run.ended
    if summary_path.exists():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        summary_written = summary_path.stat().st_mtime
    steps = summary.get("steps") or steps_from_log(out / "run.log", run.ended)
    run_id = summary.get("run_id") or run_id_from_log(out / "run.log")
    rows_by_group: dict[str, int] = {}
    for row in summary.get("ledger_by_source", []):
        group = group_of_source(row["source"])
        rows_by_group[group] = rows_by_group.get(group, 0) + int(row["rows_read"])
    spans = intervals(run, steps, summary_written)
    stages = stage_figures(run, spans, rows_by_group)
    return {
        "exit_code": run.returncode,
        "success": run.returncode == 0,
        "error": run.aborted
        or summary.get("error")
        or (None if run.returncode == 0 else _tail(run.output)),
        "run_id": run_id,
        "wall_s": round(run.wall_s, 3),
        "cpu_s": round(run.cpu_s, 3),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "rows_read": sum(rows_by_group.values()),
        "rows_read_by_group": rows_by_group,
        "loadavg": _load(run),
        "samples": len(run.samples),
        "stages": [_rounded(asdict(s)) for s in stages],
        "steps": step_figures(run, spans),
        "dbt": dbt_profile(dbt_run_results(out), args.top) if run_id else {},
        "kept": kept_work(out, run.started),
    }


def kept_work(out: Path, since: float) -> dict[str, list[int]]:
    """What a run kept from the run before it: dbt tables not built again, dbt data tests and
    GX landing checks not run again ([kept, all]; docs/dbt-models.md, docs/landing-files.md)."""
    start = datetime.fromtimestamp(since).replace(microsecond=0)
    kept: dict[str, list[int]] = {}
    warehouse = out / "warehouse.duckdb"
    if warehouse.exists():
        with duckdb.connect(str(warehouse), read_only=True) as con:
            for name, table, column in (
                ("dbt_tables", "model_builds", "built_at"),
                ("dbt_tests", "test_results", "tested_at"),
            ):
                [(old, total)] = con.execute(
                    f"select count(*) filter (where {column} < ?), count(*) from main.{table}",
                    [start],
                ).fetchall()
                kept[name] = [old, total]
    checks = sorted((out / "restricted-checks").glob("*.json"))
    if checks:
        times = [json.loads(p.read_text(encoding="utf-8"))["validated_at"] for p in checks]
        kept["gx_checks"] = [sum(datetime.fromisoformat(t) < start for t in times), len(times)]
    return kept


def run_floor(landing: Path, db: Path, env: dict[str, str], interval: float) -> dict[str, Any]:
    """bench/floor.py on a CSV landing area, measured the same way."""
    figures = db.parent / f"{db.stem}.json"
    command = [
        sys.executable,
        str(FLOOR),
        "--landing",
        str(landing),
        "--db",
        str(db),
        "--memory-limit",
        "3GB",
        "--json",
        str(figures),
    ]
    run = measure(command, env, db.parent / f"{db.stem}.log", interval)
    result: dict[str, Any] = {
        "exit_code": run.returncode,
        "wall_s": round(run.wall_s, 3),
        "cpu_s": round(run.cpu_s, 3),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "loadavg": _load(run),
    }
    if run.returncode == 0 and figures.exists():
        inner = json.loads(figures.read_text(encoding="utf-8"))
        result.update(phases_s=inner["phases_s"], rows=inner["rows"])
    else:
        result["error"] = _tail(run.output)
    figures.unlink(missing_ok=True)
    return result


def compare_marts(db: Path, warehouse: Path, env: dict[str, str]) -> dict[str, Any]:
    """The floor's marts against the pipeline's (counts, flags, sums)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "compare.json"
        done = subprocess.run(
            [
                sys.executable,
                str(FLOOR),
                "--db",
                str(db),
                "--compare",
                str(warehouse),
                "--json",
                str(out),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0 or not out.exists():
            return {"error": _tail(done.stdout + done.stderr)}
        return json.loads(out.read_text(encoding="utf-8"))["compare"]


def _load(run: Measured) -> dict[str, float]:
    return {
        "start": round(run.load_start, 2),
        "end": round(run.load_end, 2),
        "max": round(run.load_max, 2),
    }


def _tail(text: str, lines: int = 5) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()}


# -- scaling and targets ---------------------------------------------------------------------


def exponent(n1: int, t1: float | None, n2: int, t2: float | None) -> float | None:
    """The scaling exponent k of t ∝ n^k between two sizes."""
    if not t1 or not t2 or t1 <= 0 or t2 <= 0 or n1 == n2:
        return None
    return math.log(t2 / t1) / math.log(n2 / n1)


def scaling(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Exponents of total and per-stage wall time between consecutive sizes."""
    rows = []
    done = [r for r in results if r["pipeline"]["success"]]
    for small, large in zip(done, done[1:], strict=False):
        n1, n2 = small["size"], large["size"]
        walls1 = {s["stage"]: s["wall_s"] for s in small["pipeline"]["stages"]}
        walls2 = {s["stage"]: s["wall_s"] for s in large["pipeline"]["stages"]}
        stages = {
            stage: exponent(n1, walls1.get(stage), n2, walls2.get(stage))
            for stage in dict.fromkeys([*walls1, *walls2])
        }
        rows.append({"from": n1, "to": n2, "stages": stages, "total": stages.get(TOTAL)})
    return rows


def targets(results: list[dict[str, Any]], scale: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The performance targets that these runs measure, met or not."""
    checks = []
    for result in results:
        if result["size"] != PROVINCE or not result["pipeline"]["success"]:
            continue
        pipeline, fmt = result["pipeline"], result["format"]
        limit = TARGET_WALL_CSV_S if fmt == "csv" else TARGET_WALL_XLSX_S
        checks.append(_target(f"wall, 2.4 M {fmt}", pipeline["wall_s"], limit, "s"))
        if fmt == "csv":
            checks.append(
                _target("peak RSS, 2.4 M csv", pipeline["peak_rss_mb"], TARGET_PEAK_RSS_MB, "MB")
            )
        if result.get("rerun"):
            checks.append(
                _target(
                    "rerun after one county changed",
                    result["rerun"]["share"],
                    TARGET_RERUN_SHARE,
                    "of a full run",
                )
            )
    for row in scale:
        if row["to"] == PROVINCE and row["from"] * 10 == PROVINCE and row["total"] is not None:
            checks.append(
                _target("scaling exponent 240 k → 2.4 M", row["total"], TARGET_EXPONENT, "")
            )
    return checks


def _target(name: str, value: float, limit: float, unit: str) -> dict[str, Any]:
    return {
        "target": name,
        "value": round(value, 3),
        "limit": limit,
        "unit": unit,
        "met": value <= limit,
    }


# -- the table -------------------------------------------------------------------------------


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _count(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def size_table(result: dict[str, Any]) -> list[str]:
    pipeline, landing = result["pipeline"], result["landing"]
    load = pipeline["loadavg"]
    lines = [
        "",
        f"size {result['size']:,} households/year ({result['format']}): "
        f"{landing.get('household_rows', 0):,} household-years, "
        f"{landing.get('member_rows', 0):,} member rows, {landing.get('counties', 0)} counties, "
        f"{landing.get('files', 0):,} files, {landing.get('bytes', 0) / 1e6:,.0f} MB",
        f"pipeline: {'succeeded' if pipeline['success'] else 'FAILED'}, "
        f"{pipeline['rows_read']:,} rows read (ledger); loadavg start {load['start']:.2f}, "
        f"max {load['max']:.2f}, end {load['end']:.2f} (nproc {os.cpu_count()})",
    ]
    if not pipeline["success"]:
        lines.append(f"error: {pipeline['error']}")
    header = (
        f"{'stage':<34}{'wall s':>10}{'share':>8}{'cpu s':>10}{'peak RSS MB':>13}{'rows/s':>13}"
    )
    lines += [header, "-" * len(header)]
    total = pipeline["wall_s"] or 1.0
    for stage in pipeline["stages"]:
        if stage["stage"] == TOTAL:
            lines.append("-" * len(header))
        lines.append(
            f"{stage['stage']:<34}{_num(stage['wall_s']):>10}"
            f"{stage['wall_s'] / total:>8.1%}{_num(stage['cpu_s']):>10}"
            f"{_num(stage['peak_rss_mb'] or None, 0):>13}{_count(stage['rows_per_s']):>13}"
        )
    rerun = result.get("rerun")
    if rerun:
        lines.append(
            f"rerun after one county's file changed ({rerun['changed_file']}): "
            f"{_num(rerun['wall_s'])} s = {rerun['share']:.0%} of the full run "
            f"(loadavg max {rerun['loadavg']['max']:.2f})"
        )
        kept = rerun.get("kept") or {}
        lines.append(
            "  kept from the full run: "
            + ", ".join(f"{name} {k} of {n}" for name, (k, n) in sorted(kept.items()))
        )
        lines += [
            f"  {stage['stage']:<32}{_num(stage['wall_s']):>10}{_num(stage['cpu_s']):>10}"
            for stage in rerun["stages"]
        ]
    floor = result.get("floor")
    if floor:
        if floor.get("exit_code") == 0:
            same = result.get("floor_marts_equal")
            lines.append(
                f"floor (bench/floor.py, DuckDB only, 3 GB limit): {_num(floor['wall_s'])} s, "
                f"peak RSS {_num(floor['peak_rss_mb'], 0)} MB; floor ratio (pipeline / floor): "
                f"{result['floor_ratio']:.1f}x; marts equal to the pipeline's: "
                f"{'yes' if same else 'NO' if same is False else '–'}"
            )
        else:
            lines.append(f"floor FAILED: {floor.get('error')}")
    else:
        lines.append("floor ratio: – (the floor reads CSV landing areas only)")
    dbt = pipeline.get("dbt") or {}
    if dbt:
        kinds = ", ".join(
            f"{k} {v['nodes']} ({v['execution_s']:.1f} s)"
            for k, v in sorted(dbt["by_resource_type"].items())
        )
        lines.append(f"dbt: {dbt['elapsed_s']:.1f} s in dbt, nodes {kinds}; slowest:")
        for node in dbt["slowest"]:
            lines.append(f"  {node['execution_s']:>8.2f} s  {node['type']:<10} {node['node']}")
    return lines


def scaling_table(scale: list[dict[str, Any]]) -> list[str]:
    if not scale:
        return []
    pairs = [f"{r['from']:,}→{r['to']:,}" for r in scale]
    width = max(16, *(len(p) + 2 for p in pairs))
    lines = ["", "scaling exponent of wall time, log(t2/t1) / log(n2/n1)"]
    lines.append(f"{'stage':<34}" + "".join(f"{p:>{width}}" for p in pairs))
    stages = list(dict.fromkeys(s for r in scale for s in r["stages"]))
    for stage in stages:
        cells = "".join(f"{_num(r['stages'].get(stage), 2):>{width}}" for r in scale)
        lines.append(f"{stage:<34}{cells}")
    return lines


def targets_table(checks: list[dict[str, Any]]) -> list[str]:
    if not checks:
        return ["", "targets: measured at 2 400 000 households only (none in this run)"]
    lines = ["", "targets"]
    for c in checks:
        value = f"{c['value']:.0%}" if c["unit"] == "of a full run" else f"{c['value']:,.2f}"
        limit = f"{c['limit']:.0%}" if c["unit"] == "of a full run" else f"{c['limit']:,.2f}"
        lines.append(
            f"  {c['target']:<36} {value:>10} {c['unit']:<13} limit {limit:>8}  "
            f"{'met' if c['met'] else 'MISSED'}"
        )
    return lines


# -- main ------------------------------------------------------------------------------------


def git_state() -> dict[str, Any]:
    """The commit benchmarked and whether the work tree had changes on top of it."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


@contextmanager
def county_changed(landing: Path) -> Iterator[Path]:
    path = change_county_file(landing)
    try:
        yield path
    finally:
        restore_changed_file(landing)


def bench_size(args: argparse.Namespace, size: int, env: dict[str, str]) -> dict[str, Any]:
    data_dir: Path = args.data_dir
    key = landing_key(size, args.seed, args.format, args.error_rate)
    print(f"[{size:,}] landing area ...", flush=True)
    landing = prepare_landing(data_dir, size, args.seed, args.format, args.error_rate, env)
    out = data_dir / f"out-{key.removeprefix('landing-')}"
    if out.exists():
        shutil.rmtree(out)
    env = {**env, "DAGSTER_HOME": str(make_dagster_home(data_dir / f"dagster-home-{size}"))}
    print(f"[{size:,}] fangpin run ...", flush=True)
    pipeline = run_pipeline(landing.path, out, env, args)
    result: dict[str, Any] = {
        "size": size,
        "format": args.format,
        "seed": args.seed,
        "landing": {
            "path": str(landing.path),
            "reused": landing.reused,
            "generate_wall_s": landing.generate_wall_s and round(landing.generate_wall_s, 1),
            **{k: v for k, v in landing.manifest.items() if k not in ("paths", "errors")},
        },
        "generator": generator_fingerprint(),
        "pipeline": pipeline,
    }
    if args.format == "csv" and not args.no_floor:
        print(f"[{size:,}] floor ...", flush=True)
        db = data_dir / f"floor-{key.removeprefix('landing-')}.duckdb"
        floor = run_floor(landing.path, db, env, args.interval)
        result["floor"] = floor
        if floor["exit_code"] == 0:
            result["floor_ratio"] = pipeline["wall_s"] / floor["wall_s"]
            if pipeline["success"]:
                comparison = compare_marts(db, out / "warehouse.duckdb", env)
                result["floor_compare"] = comparison
                result["floor_marts_equal"] = "error" not in comparison and all(
                    m["equal"] for m in comparison.values()
                )
        if not args.keep:
            for path in (db, db.with_suffix(".duckdb.wal"), db.with_suffix(".log")):
                path.unlink(missing_ok=True)
    # after the floor's comparison: the rerun leaves the warehouse with the changed figure
    if pipeline["success"] and not args.no_rerun:
        print(f"[{size:,}] rerun after one county's file changed ...", flush=True)
        with county_changed(landing.path) as changed:
            rerun = run_pipeline(landing.path, out, env, args)
        rerun["changed_file"] = str(changed.relative_to(landing.path))
        rerun["share"] = rerun["wall_s"] / pipeline["wall_s"]
        result["rerun"] = rerun
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(data_dir / f"dagster-home-{size}", ignore_errors=True)
        for run in (pipeline, result.get("rerun") or {}):
            _remove_dbt_target(run.get("dbt") or {})
    return result


def _remove_dbt_target(dbt: dict[str, Any]) -> None:
    """The run's dbt target directory, once its run_results.json has been read."""
    if dbt.get("run_results"):
        shutil.rmtree(Path(dbt["run_results"]).parent, ignore_errors=True)


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        factor = 1
        for suffix, multiple in (("k", 1_000), ("m", 1_000_000)):
            if part.endswith(suffix):
                part, factor = part[: -len(suffix)], multiple
        sizes.append(int(float(part) * factor))
    return sorted(set(sizes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="24000,240000", help="households per survey year: 24000,240000 or 24k"
    )
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=BENCH_DIR / "data",
        help="landing areas (reused between runs) and run outputs",
    )
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    parser.add_argument(
        "--keep", action="store_true", help="keep the stores, floor databases, dbt target dirs"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--error-rate", type=float, default=0.002)
    parser.add_argument("--interval", type=float, default=0.2, help="sampling interval, seconds")
    parser.add_argument("--top", type=int, default=10, help="slowest dbt nodes to list")
    parser.add_argument(
        "--rss-limit-mb",
        type=float,
        default=14_000,
        help="kill a run whose process tree goes above this RSS (the machine is shared); 0: none",
    )
    parser.add_argument("--no-rerun", action="store_true", help="skip the rerun")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor")
    args = parser.parse_args(argv)
    args.data_dir = args.data_dir.resolve()
    sizes = parse_sizes(args.sizes)
    env = child_env()
    started = datetime.now(UTC)
    report: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "git": git_state(),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "runs": [],
    }
    for size in sizes:
        report["runs"].append(bench_size(args, size, env))
    report["scaling"] = scaling(report["runs"])
    report["targets"] = targets(report["runs"], report["scaling"])
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")

    m = report["machine"]
    lines = [
        "",
        f"fangpin benchmark {report['started_at']} · {m['cpu_model']} · nproc {m['nproc']} · "
        f"{m['memory_gb']} GB · loadavg at start {report['loadavg_at_start']}",
    ]
    for result in report["runs"]:
        lines += size_table(result)
    lines += scaling_table(report["scaling"])
    lines += targets_table(report["targets"])
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stem = args.results_dir / started.strftime("%Y%m%dT%H%M%SZ")
    stem.with_suffix(".json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    lines += ["", f"figures: {stem.with_suffix('.json')}", f"table:   {stem.with_suffix('.txt')}"]
    text = "\n".join(lines)
    stem.with_suffix(".txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0 if all(r["pipeline"]["success"] for r in report["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
