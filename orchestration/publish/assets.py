"""The published analyst snapshot: built only when everything upstream materialised and no
blocking check failed (Dagster skips it otherwise)."""

import dagster as dg
from dagster import AssetExecutionContext

from orchestration.resources import FangpinPaths
from orchestration.warehouse.assets import fangpin_dbt_assets
from reporting.publish import publish_warehouse

PUBLISHED_KEY = dg.AssetKey(["published", "warehouse"])
MART_KEYS = sorted(
    (key for key in fangpin_dbt_assets.keys if key.path[0] == "marts"),
    key=lambda key: key.to_user_string(),
)


@dg.asset(
    key=PUBLISHED_KEY,
    deps=MART_KEYS,
    group_name="publish",
    kinds={"duckdb"},
    pool="duckdb",
    description="Read-only copy of the warehouse for analysts, replaced atomically after a run.",
)
def published_warehouse(
    context: AssetExecutionContext, paths: FangpinPaths
) -> dg.MaterializeResult:
    publication = publish_warehouse(
        paths.warehouse_db, paths.published_dir, run_id=context.run.run_id
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.path)),
            "sha256": publication.sha256,
            "bytes": publication.bytes,
            "marts": publication.marts,
            "published_at": publication.published_at,
        }
    )
