-- One row per monitoring episode and risk type (风险类型): the ledger's 、-joined list split.
with episodes as (
    select
        episode_id,
        household_id,
        risk_types
    from {{ ref('int_monitoring_episodes_deduplicated') }}
),

split as (
    select
        episode_id,
        household_id,
        trim(unnest(string_split(risk_types, '、'))) as risk_type
    from episodes
)

select distinct
    episode_id,
    household_id,
    risk_type
from split
where risk_type <> ''
