"""The quarterly assessment report (季度评估报告) of one quarter, rendered from the marts."""

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.reporting.partitions import quarter_of_partition, quarterly_partitions
from orchestration.resources import FangpinPaths
from orchestration.warehouse.assets import fangpin_dbt_assets
from reporting.marts import REPORT_MARTS
from reporting.report import render_report

REPORT_KEY = dg.AssetKey(["reports", "assessment"])
# the marts the report reads (those of the dbt project; a mart not built yet is left out)
REPORT_DEPS = sorted(
    (
        key
        for key in fangpin_dbt_assets.keys
        if key.path[0] == "marts" and key.path[-1] in REPORT_MARTS
    ),
    key=lambda key: key.to_user_string(),
)
report_selection = dg.AssetSelection.assets(REPORT_KEY)


@dg.asset(
    key=REPORT_KEY,
    partitions_def=quarterly_partitions,
    # a backfill of many quarters is one run that renders them in turn
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=REPORT_DEPS,
    group_name="reports",
    kinds={"html", "excel"},
    pool="duckdb",
    description=(
        "Quarterly assessment report of the partition's quarter: assessment_<quarter>.html and "
        "focus_lists_<quarter>.xlsx in <out>/reports."
    ),
)
def assessment_report(context: AssetExecutionContext, paths: FangpinPaths) -> dg.MaterializeResult:
    written = []
    for partition_key in context.partition_keys:
        files = render_report(
            paths.warehouse_db, quarter_of_partition(partition_key), paths.reports_dir
        )
        context.log.info(f"quarterly report {files.quarter}: {files.html}")
        written.append(files)
    return dg.MaterializeResult(
        metadata={
            "quarters": ", ".join(files.quarter for files in written),
            "html": dg.MetadataValue.path(str(written[-1].html)),
            "xlsx": dg.MetadataValue.path(str(written[-1].xlsx)),
            "reports_dir": dg.MetadataValue.path(str(paths.reports_dir)),
        }
    )
