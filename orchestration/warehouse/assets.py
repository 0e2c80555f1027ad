"""The dbt project as Dagster assets: seeds, staging, intermediate and marts, tests as checks."""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.environment import DBT_PROJECT_DIR
from orchestration.resources import FangpinPaths

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


class FangpinDbtTranslator(DagsterDbtTranslator):
    """Asset keys `[schema, name]`; sources as `raw/<table>` (the ingestion assets)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "ingestion"
        return dbt_resource_props["schema"]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=FangpinDbtTranslator(),
    pool="duckdb",
)
def fangpin_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, paths: FangpinPaths
) -> Iterator[Any]:
    """`dbt build`: seeds, models and their tests, in dependency order.

    dbt writes its artifacts beside the stores it builds (`FangpinPaths.dbt_target_dir`), not
    into a new directory of the project per run: a run in the same output directory as the
    last one skips dbt's full parse of the project (docs/performance.md).
    """
    yield from dbt.cli(["build"], context=context, target_path=paths.dbt_target_dir).stream()
