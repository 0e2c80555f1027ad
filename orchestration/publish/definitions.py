import dagster as dg

from orchestration.publish.assets import published_warehouse

defs = dg.Definitions(assets=[published_warehouse])
