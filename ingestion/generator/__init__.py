"""Demo and benchmark data: a deterministic landing area (SPEC §3) for a city or a province.

Calibration lives in ``ingestion/generator.yaml``; enumerations come from the dbt seeds.
"""

from ingestion.generator.run import GenerateSummary, generate

__all__ = ["GenerateSummary", "generate"]
