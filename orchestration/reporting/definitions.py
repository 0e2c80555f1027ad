import dagster as dg

from orchestration.reporting.assets import assessment_report, report_selection
from orchestration.reporting.schedules import quarterly_report_job, quarterly_report_schedule

__all__ = ["defs", "report_selection"]

defs = dg.Definitions(
    assets=[assessment_report],
    jobs=[quarterly_report_job],
    schedules=[quarterly_report_schedule],
)
