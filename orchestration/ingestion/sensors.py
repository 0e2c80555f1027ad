"""Landing sensor: new or changed files start a run of just the groups they feed and downstream."""

import json

import dagster as dg

from ingestion.fingerprint import group_fingerprints
from ingestion.load import SOURCE_GROUPS
from orchestration.ingestion.assets import raw_key
from orchestration.reporting.definitions import report_selection
from orchestration.resources import FangpinPaths


def changed_groups(previous: dict[str, str], current: dict[str, str]) -> list[str]:
    """Source groups whose files differ between two fingerprints, in ingestion order."""
    return [group for group in SOURCE_GROUPS if previous.get(group) != current.get(group)]


@dg.sensor(
    name="landing_sensor",
    target=dg.AssetSelection.all(),
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches the landing area; materialises changed sources and their downstream.",
)
def landing_sensor(context: dg.SensorEvaluationContext, paths: FangpinPaths):
    current = group_fingerprints(paths.landing)
    previous = json.loads(context.cursor) if context.cursor else {}
    groups = changed_groups(previous, current)
    if not groups:
        return dg.SkipReason("no new or changed landing files")
    selection = (
        dg.AssetSelection.assets(
            *(raw_key(table) for group in groups for table in SOURCE_GROUPS[group])
        ).downstream()
        - report_selection
    )  # the quarterly report runs per quarter, on its schedule
    keys = selection.resolve(context.repository_def.asset_graph)
    context.update_cursor(json.dumps(current, sort_keys=True))
    run_key = "landing-" + "-".join(current[group][:12] for group in groups)
    return dg.RunRequest(
        run_key=run_key,
        asset_selection=sorted(keys, key=lambda key: key.to_user_string()),
        tags={"fangpin/changed_groups": ",".join(groups)},
    )
