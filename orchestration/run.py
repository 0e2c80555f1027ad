"""Execute the main job in-process and summarise the run (rows, checks, where things are)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from ingestion import store
from ingestion.load import export_quarantine
from orchestration.lock import run_lock
from reporting.findings import run_findings

RUN_LOG = "run.log"
# operators' copy of the run's rejected rows, to send back to the counties; holds identifiers
QUARANTINE_EXPORT = "restricted_exports/quarantine.csv"


@dataclass
class CheckOutcome:
    asset: str
    check: str
    passed: bool
    severity: str
    failed_rows: int | None = None
    blocking: bool = False


@dataclass
class RunOutcome:
    success: bool
    error: str | None
    run_id: str
    out_dir: Path
    ledger: list[dict[str, Any]] = field(default_factory=list)
    checks: list[CheckOutcome] = field(default_factory=list)
    published: Path | None = None
    quarantine_reasons: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    quarantine_export: Path | None = None

    @property
    def not_published_reason(self) -> str | None:
        if self.published is not None:
            return None
        blocking = [f"{c.asset} · {c.check}" for c in self.checks if c.blocking and not c.passed]
        if blocking:
            return "blocking checks failed: " + "; ".join(blocking)
        return self.error or "the warehouse was not built"

    @property
    def summary(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "error": self.error,
            "run_id": self.run_id,
            "warehouse": str(self.out_dir / "warehouse.duckdb"),
            "restricted": str(self.out_dir / "restricted.duckdb"),
            "published": str(self.published) if self.published else None,
            "not_published_reason": self.not_published_reason,
            "ledger_by_source": self.ledger,
            "quarantine_reasons": self.quarantine_reasons,
            "checks": [check.__dict__ for check in self.checks],
            "findings": self.findings,
            "quarantine_export": str(self.quarantine_export) if self.quarantine_export else None,
            "steps": self.steps,
        }

    @property
    def summary_text(self) -> str:
        return format_summary(self)


def _failed_rows(metadata: dict[str, Any]) -> int | None:
    for key in ("failed_rows_count", "failed_rows", "unexpected_count", "rows_failed"):
        if key in metadata:
            value = metadata[key]
            return int(getattr(value, "value", value))
    return None


def _check_outcomes(result: dg.ExecuteInProcessResult) -> list[CheckOutcome]:
    outcomes = []
    for evaluation in result.get_asset_check_evaluations():
        outcomes.append(
            CheckOutcome(
                asset="/".join(evaluation.asset_key.path),
                check=evaluation.check_name,
                passed=evaluation.passed,
                severity=evaluation.severity.value,
                failed_rows=_failed_rows(dict(evaluation.metadata)),
                blocking=bool(evaluation.blocking),
            )
        )
    return sorted(outcomes, key=lambda c: (c.asset, c.check))


def _step_errors(result: dg.ExecuteInProcessResult) -> list[str]:
    errors = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            # the user-facing reason is the innermost cause, not Dagster's wrapper
            while error is not None and error.cause is not None:
                error = error.cause
            message = error.message.strip() if error is not None else "unknown error"
            errors.append(f"{event.step_key}: {message}")
    return errors


STEP_EVENTS = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.STEP_SKIPPED,
}


def step_timings(instance: dg.DagsterInstance, run_id: str) -> list[dict[str, Any]]:
    """Start, end (Unix seconds) and outcome of every step of a run, in start order."""
    steps: dict[str, dict[str, Any]] = {}
    for entry in instance.all_logs(run_id, of_type=STEP_EVENTS):
        step = steps.setdefault(entry.step_key, {"step": entry.step_key, "status": "started"})
        if entry.dagster_event_type == dg.DagsterEventType.STEP_START:
            step["start"] = entry.timestamp
        else:
            step["end"] = entry.timestamp
            step["status"] = entry.dagster_event_type.value.removeprefix("STEP_").lower()
    for step in steps.values():
        if "start" in step and "end" in step:
            step["wall_s"] = round(step["end"] - step["start"], 3)
    return sorted(steps.values(), key=lambda s: s.get("start", s.get("end", 0.0)))


def ledger_by_source(restricted_db: Path) -> list[dict[str, Any]]:
    """Rows read / loaded / quarantined and rejected files per landing source."""
    if not restricted_db.exists():
        return []
    with store.connect(restricted_db, read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'ingest_ledger'"
        ).fetchone()[0]
        if not exists:
            return []
        rows = con.execute(
            """
            select source,
                   count(*) as files,
                   count(*) filter (where status = 'rejected') as files_rejected,
                   sum(rows_read) as rows_read,
                   sum(rows_loaded) as rows_loaded,
                   sum(rows_quarantined) as rows_quarantined
            from audit.ingest_ledger
            group by source
            order by source
            """
        ).fetchall()
    names = ["source", "files", "files_rejected", "rows_read", "rows_loaded", "rows_quarantined"]
    return [
        dict(zip(names, (int(v) if i else v for i, v in enumerate(row)), strict=True))
        for row in rows
    ]


def quarantine_reasons(restricted_db: Path, limit: int = 10) -> list[dict[str, Any]]:
    """The most frequent quarantine reasons, with their row counts."""
    if not restricted_db.exists():
        return []
    with store.connect(restricted_db, read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'audit' and table_name = 'quarantine'"
        ).fetchone()[0]
        if not exists:
            return []
        rows = con.execute(
            "select source, column_name, reason_en, count(*) as n from audit.quarantine "
            "group by all order by n desc, source, column_name, reason_en limit ?",
            [limit],
        ).fetchall()
    return [{"source": s, "column_name": c, "reason_en": r, "rows": int(n)} for s, c, r, n in rows]


def format_summary(outcome: RunOutcome) -> str:
    lines = ["", "fangpin run summary", "===================", ""]
    lines.append(
        f"{'source':<22}{'files':>7}{'rejected':>10}{'read':>12}{'loaded':>12}{'quarantined':>13}"
    )
    for row in outcome.ledger:
        lines.append(
            f"{row['source']:<22}{row['files']:>7}{row['files_rejected']:>10}{row['rows_read']:>12}"
            f"{row['rows_loaded']:>12}{row['rows_quarantined']:>13}"
        )
    if outcome.quarantine_reasons:
        lines.append("")
        lines.append("most frequent quarantine reasons:")
        for reason in outcome.quarantine_reasons:
            where = f"{reason['source']}.{reason['column_name']}"
            lines.append(f"  {reason['rows']:>7}  {where}: {reason['reason_en']}")
    if outcome.findings:
        lines.append("")
        lines.append("findings:")
        for finding in outcome.findings:
            key = f" {finding['key']}" if finding["key"] else ""
            lines.append(f"  {finding['finding']}{key}: {finding['value']}")
    lines.append("")
    failed = [c for c in outcome.checks if not c.passed]
    lines.append(f"checks: {len(outcome.checks)} evaluated, {len(failed)} not passed")
    for check in failed:
        rows = "" if check.failed_rows is None else f" ({check.failed_rows} rows)"
        lines.append(f"  [{check.severity}] {check.asset} · {check.check}{rows}")
    lines.append("")
    lines.append(f"warehouse (analysts):     {outcome.out_dir / 'warehouse.duckdb'}")
    lines.append(f"restricted (operators):   {outcome.out_dir / 'restricted.duckdb'}")
    lines.append("  quarantine: audit.quarantine · row ledger: audit.ingest_ledger")
    if outcome.quarantine_export:
        lines.append(f"quarantine export:        {outcome.quarantine_export}")
    if outcome.published:
        lines.append(f"published (read-only):    {outcome.published}")
    else:
        lines.append(f"NOT published: {outcome.not_published_reason}")
    lines.append(f"run summary:              {outcome.out_dir / 'run_summary.json'}")
    lines.append(f"run log (Dagster, dbt):   {outcome.out_dir / RUN_LOG}")
    lines.append(f"run: {'succeeded' if outcome.success else 'FAILED'} ({outcome.run_id})")
    if outcome.error:
        lines.append(f"error: {outcome.error}")
    return "\n".join(lines)


def run_pipeline(
    landing: Path, out: Path, instance: dg.DagsterInstance | None = None, record: bool = False
) -> RunOutcome:
    """Materialise every asset and run every check of the main job, in this process.

    Without an `instance`, the run executes on an in-memory Dagster instance, or with `record`
    on the instance of DAGSTER_HOME, whose SQLite event log then stores each of the run's
    2 000-odd events (about 20 s more per run) so that the Dagster UI lists the run.
    """
    from orchestration.definitions import MAIN_JOB_NAME, defs
    from orchestration.publish.assets import PUBLISHED_KEY

    job = defs.resolve_job_def(MAIN_JOB_NAME)
    owns_instance = instance is None
    with run_lock(out):
        if instance is None:
            instance = dg.DagsterInstance.get() if record else dg.DagsterInstance.ephemeral()
        # Dagster's event log and dbt's output go to the run log; the caller prints the summary
        with (
            (out / RUN_LOG).open("w", encoding="utf-8", buffering=1) as log,
            contextlib.redirect_stdout(log),
            contextlib.redirect_stderr(log),
        ):
            try:
                result = job.execute_in_process(instance=instance, raise_on_error=False)
                steps = step_timings(instance, result.run_id)
            finally:
                if owns_instance:
                    instance.dispose()
    published = [
        event
        for event in result.get_asset_materialization_events()
        if event.asset_key == PUBLISHED_KEY
    ]
    errors = _step_errors(result)
    outcome = RunOutcome(
        success=result.success,
        error="; ".join(errors) if errors else (None if result.success else "run failed"),
        run_id=result.run_id,
        out_dir=out.resolve(),
        ledger=ledger_by_source(out / "restricted.duckdb"),
        quarantine_reasons=quarantine_reasons(out / "restricted.duckdb"),
        steps=steps,
        findings=run_findings(out / "warehouse.duckdb"),
        quarantine_export=export_quarantine(out / "restricted.duckdb", out / QUARANTINE_EXPORT),
        checks=_check_outcomes(result),
        published=Path(out / "published" / "warehouse.duckdb").resolve() if published else None,
    )
    (out / "run_summary.json").write_text(
        json.dumps(outcome.summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    return outcome
