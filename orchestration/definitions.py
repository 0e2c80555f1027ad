"""The one Definitions of fangpin: every domain's defs merged, plus the main job."""

from __future__ import annotations

import dagster as dg

from orchestration.checks.definitions import defs as checks_defs
from orchestration.ingestion.definitions import defs as ingestion_defs
from orchestration.publish.definitions import defs as publish_defs
from orchestration.resources import default_resources
from orchestration.warehouse.definitions import defs as warehouse_defs

MAIN_JOB_NAME = "fangpin_main"

# Everything, in one run, one step at a time: DuckDB lets one process write a file at a time.
main_job = dg.define_asset_job(
    MAIN_JOB_NAME,
    selection=dg.AssetSelection.all(include_sources=False),
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
    ingestion_defs,
    warehouse_defs,
    checks_defs,
    publish_defs,
    dg.Definitions(jobs=[main_job], schedules=[monthly_dispatch], resources=default_resources()),
)
