"""The report of the quarter just ended, on the 5th day after it (late ledgers get a few days)."""

from __future__ import annotations

import dagster as dg

from orchestration.reporting.assets import REPORT_KEY
from orchestration.reporting.partitions import quarterly_partitions

QUARTERLY_REPORT_JOB_NAME = "quarterly_report"

quarterly_report_job = dg.define_asset_job(
    QUARTERLY_REPORT_JOB_NAME,
    selection=dg.AssetSelection.assets(REPORT_KEY),
    executor_def=dg.in_process_executor,
    description="Render the quarterly assessment report of one quarter (partition).",
)


# build_schedule_from_partitioned_job fires when a partition ends (00:00 on the quarter's first
# day) and accepts no day offset for this cron; this schedule asks for the same partition, the
# last complete quarter, on 5 January, April, July and October.
@dg.schedule(
    name="quarterly_report_schedule",
    job=quarterly_report_job,
    cron_schedule="0 6 5 1,4,7,10 *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Render the report of the quarter just ended, five days after its end.",
)
def quarterly_report_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    # the last quarter that has ended by the tick (end_offset=0)
    partition_key = quarterly_partitions.get_partition_keys(
        current_time=context.scheduled_execution_time
    )[-1]
    return dg.RunRequest(run_key=f"report-{partition_key}", partition_key=partition_key)
