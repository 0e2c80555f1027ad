import dagster as dg

from orchestration.checks.landing import landing_checks
from orchestration.checks.marts import mart_checks

defs = dg.Definitions(asset_checks=[*landing_checks, *mart_checks])
