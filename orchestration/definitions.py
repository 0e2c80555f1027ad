"""The one Definitions of fangpin: every domain's defs merged, plus the main job."""

from __future__ import annotations

import dagster as dg

# Domain modules, not their `defs`: Dagster's loader wants one Definitions at module scope.
from orchestration.checks import definitions as checks
from orchestration.ingestion import definitions as ingestion
from orchestration.publish import definitions as publish
from orchestration.reporting import definitions as reporting
from orchestration.resources import default_resources
from orchestration.warehouse import definitions as warehouse

MAIN_JOB_NAME = "fangpin_main"

# Everything, in one run, one step at a time: DuckDB lets one process write a file at a time.
# The quarterly report is partitioned by quarter and would make the job partitioned: it has its
# own job and schedule, and `fangpin run` renders the latest quarter after this job.
main_job = dg.define_asset_job(
    MAIN_JOB_NAME,
    selection=dg.AssetSelection.all(include_sources=False) - reporting.report_selection,
    executor_def=dg.in_process_executor,
    description="Ingest the landing area, build the warehouse, run every check.",
)

# County dispatch figures (按月调度): the whole pipeline on the first night of every month.
monthly_dispatch = dg.ScheduleDefinition(
    name="monthly_dispatch",
    job=main_job,
    cron_schedule="0 2 1 * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

defs = dg.Definitions.merge(
    ingestion.defs,
    warehouse.defs,
    checks.defs,
    publish.defs,
    reporting.defs,
    dg.Definitions(jobs=[main_job], schedules=[monthly_dispatch], resources=default_resources()),
)
