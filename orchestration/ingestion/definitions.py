import dagster as dg

from orchestration.ingestion.assets import ingestion_assets
from orchestration.ingestion.sensors import landing_sensor

defs = dg.Definitions(assets=ingestion_assets, sensors=[landing_sensor])
