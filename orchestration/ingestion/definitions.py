import dagster as dg

from orchestration.ingestion.assets import ingestion_assets

defs = dg.Definitions(assets=ingestion_assets)
