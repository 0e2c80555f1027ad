import dagster as dg

from orchestration.warehouse.assets import fangpin_dbt_assets

defs = dg.Definitions(assets=[fangpin_dbt_assets])
