-- Monitoring episodes (监测对象 episodes), one row per episode: from risk found (风险发现)
-- through identification (识别认定) to risk elimination (风险消除).
with episodes as (
    select
        episode_id,
        household_id,
        county_code,
        ledger_year,
        episode_seq,
        category,
        risk_types,
        discovery_channel,
        risk_found_date,
        identified_date,
        eliminated_date
    from {{ ref('int_monitoring_episodes_deduplicated') }}
),

risk_type_counts as (
    select
        episode_id,
        count(*) as risk_type_count
    from {{ ref('int_episode_risk_types_split') }}
    group by episode_id
)

select
    episodes.episode_id,
    episodes.household_id,
    episodes.county_code,
    episodes.ledger_year,
    episodes.episode_seq,
    episodes.category,
    episodes.risk_types,
    coalesce(risk_type_counts.risk_type_count, 0) as risk_type_count,
    episodes.discovery_channel,
    episodes.risk_found_date,
    episodes.identified_date,
    episodes.eliminated_date,
    {{ dbt.datediff('episodes.risk_found_date', 'episodes.identified_date', 'day') }} as days_to_identify,
    {{ dbt.datediff('episodes.identified_date', 'episodes.eliminated_date', 'day') }} as duration_days,
    episodes.eliminated_date is not null as is_eliminated
from episodes
left join risk_type_counts
    on episodes.episode_id = risk_type_counts.episode_id
