"""One asset per landing source group: read the files, validate, quarantine, load raw tables."""

from collections.abc import Iterator

import dagster as dg
from dagster import AssetExecutionContext

from ingestion.load import GROUP_NEEDS, SOURCE_GROUPS, GroupResult, ingest_group
from orchestration.resources import FangpinPaths

GROUP_NAME = "ingestion"


def raw_key(table: str) -> dg.AssetKey:
    """Asset key of a raw table in the restricted store."""
    return dg.AssetKey(["raw", table])


def _deps(group: str) -> list[dg.AssetKey]:
    """The raw tables a group looks up (village codes, households) must be loaded first."""
    return [raw_key(table) for table in GROUP_NEEDS.get(group, ())]


def _ledger_markdown(result: GroupResult) -> str:
    lines = [
        "| file | sheet | read | loaded | quarantined | status | message |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for row in result.ledger:
        lines.append(
            f"| {row.file} | {row.sheet or ''} | {row.rows_read} | {row.rows_loaded} "
            f"| {row.rows_quarantined} | {row.status} | {(row.message or '').replace('|', '/')} |"
        )
    return "\n".join(lines)


def _table_metadata(result: GroupResult, table: str) -> dict[str, dg.MetadataValue]:
    rows = [row for row in result.ledger if row.source == table]
    return {
        "files": dg.MetadataValue.int(len(rows)),
        "files_rejected": dg.MetadataValue.int(sum(r.status == "rejected" for r in rows)),
        "rows_read": dg.MetadataValue.int(sum(r.rows_read for r in rows)),
        "rows_loaded": dg.MetadataValue.int(result.rows_loaded.get(table, 0)),
        "rows_quarantined": dg.MetadataValue.int(sum(r.rows_quarantined for r in rows)),
        "batches_read": dg.MetadataValue.text(", ".join(result.batches_read) or "none"),
        "batches_kept": dg.MetadataValue.text(", ".join(result.batches_kept) or "none"),
        "ledger": dg.MetadataValue.md(_ledger_markdown(result)),
    }


def build_ingestion_asset(group: str) -> dg.AssetsDefinition:
    """The asset (or multi-asset, for the three survey tables) that ingests one source group."""
    tables = SOURCE_GROUPS[group]
    specs = [
        dg.AssetSpec(
            raw_key(table),
            deps=_deps(group),
            group_name=GROUP_NAME,
            kinds={"python", "duckdb"},
            description=f"Raw `{table}` rows in the restricted store (raw.{table})",
        )
        for table in tables
    ]

    @dg.multi_asset(name=f"ingest_{group}", specs=specs, pool="duckdb")
    def _ingest(
        context: AssetExecutionContext, paths: FangpinPaths
    ) -> Iterator[dg.MaterializeResult]:
        paths.out.mkdir(parents=True, exist_ok=True)
        result = ingest_group(group, paths.landing, paths.restricted_db)
        for row in result.ledger:
            if row.status == "rejected":
                context.log.warning(f"{row.file} {row.sheet or ''}: {row.message}")
        for table in tables:
            yield dg.MaterializeResult(
                asset_key=raw_key(table), metadata=_table_metadata(result, table)
            )

    return _ingest


ingestion_assets = [build_ingestion_asset(group) for group in SOURCE_GROUPS]
