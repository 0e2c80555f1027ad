-- Households monitored (监测户) at each period end, SPEC §5: an episode with
-- identified_date ≤ P and (no eliminated_date or eliminated_date > P). Episodes of one
-- household do not overlap (M3); should they, the latest identified one is kept here and
-- episodes_monitored says how many were open. Range join on dates, no correlated subquery.
with episodes as (
    select
        episode_id,
        household_id,
        county_code,
        category,
        risk_types,
        discovery_channel,
        risk_found_date,
        identified_date,
        eliminated_date
    from {{ ref('int_monitoring_episodes_deduplicated') }}
),

period_ends as (
    select
        period_end
    from {{ ref('int_period_ends') }}
),

monitored as (
    select
        period_ends.period_end,
        episodes.*,
        row_number() over (
            partition by episodes.household_id, period_ends.period_end
            order by episodes.identified_date desc, episodes.episode_id desc
        ) as episode_rank,
        cast(count(*) over (
            partition by episodes.household_id, period_ends.period_end
        ) as integer) as episodes_monitored
    from episodes
    inner join period_ends
        on episodes.identified_date <= period_ends.period_end
        and coalesce(episodes.eliminated_date, cast('9999-12-31' as date)) > period_ends.period_end
)

select
    household_id,
    period_end,
    episode_id,
    county_code,
    category,
    risk_types,
    discovery_channel,
    risk_found_date,
    identified_date,
    eliminated_date,
    episodes_monitored
from monitored
where episode_rank = 1
