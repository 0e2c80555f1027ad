-- Identification timeliness (识别认定时效), SPEC §6 M1: an episode is identified within the limit
-- when identified_date − risk_found_date ≤ identification_days_max (15 days, seed
-- rule_thresholds). One row per county and period end (季度末), every county of the data at every
-- period end; each episode counts in the quarter of its identified_date, in the county of its
-- monitoring ledger. rate is NULL in a quarter without identifications.
with episodes as (
    select
        episode_id,
        county_code,
        risk_found_date,
        identified_date,
        {{ dbt.datediff('risk_found_date', 'identified_date', 'day') }} as days_to_identify
    from {{ ref('int_monitoring_episodes_deduplicated') }}
),

thresholds as (
    select
        identification_days_max
    from {{ ref('int_rule_thresholds_pivoted') }}
),

spine as (
    select
        county_code,
        county_name,
        city_code,
        period_end,
        period_label
    from {{ ref('int_county_period_ends') }}
),

identified as (
    select
        episodes.county_code,
        {{ quarter_end_of('episodes.identified_date') }} as period_end,
        cast(count(*) as integer) as episodes_identified,
        cast(sum(
            case when episodes.days_to_identify <= thresholds.identification_days_max then 1 else 0 end
        ) as integer) as identified_within_limit,
        avg(cast(episodes.days_to_identify as {{ type_fraction() }})) as mean_days_to_identify,
        cast(max(episodes.days_to_identify) as integer) as max_days_to_identify
    from episodes
    cross join thresholds
    group by
        episodes.county_code,
        {{ quarter_end_of('episodes.identified_date') }}
)

select
    spine.county_code,
    spine.county_name,
    spine.city_code,
    spine.period_end,
    spine.period_label,
    coalesce(identified.episodes_identified, 0) as episodes_identified,
    coalesce(identified.identified_within_limit, 0) as identified_within_limit,
    coalesce(identified.episodes_identified, 0) - coalesce(identified.identified_within_limit, 0) as late_episodes,
    cast(identified.identified_within_limit as {{ type_fraction() }})
        / nullif(identified.episodes_identified, 0) as rate,
    identified.mean_days_to_identify,
    identified.max_days_to_identify,
    thresholds.identification_days_max
from spine
cross join thresholds
left join identified
    on spine.county_code = identified.county_code
    and spine.period_end = identified.period_end
