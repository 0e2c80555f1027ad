-- The county × period-end spine of the quarterly lifecycle marts: every county the data covers
-- (the county of a surveyed village, or of a monitoring ledger) at every period end (季度末) of
-- int_period_ends, so that a quarter without any episode or application still has its row.
with counties_in_data as (
    select distinct left(village_code, 6) as county_code
    from {{ ref('stg_restricted__households') }}
    union
    select distinct county_code
    from {{ ref('int_monitoring_episodes_deduplicated') }}
),

regions as (
    select
        region_code,
        region_name
    from {{ ref('stg_restricted__regions') }}
),

period_ends as (
    select
        period_end,
        period_start,
        period_label
    from {{ ref('int_period_ends') }}
)

select
    counties_in_data.county_code,
    county_regions.region_name as county_name,
    left(counties_in_data.county_code, 4) as city_code,
    city_regions.region_name as city_name,
    period_ends.period_end,
    period_ends.period_start,
    period_ends.period_label
from counties_in_data
cross join period_ends
left join regions as county_regions
    on county_regions.region_code = counties_in_data.county_code || '000000'
left join regions as city_regions
    on city_regions.region_code = left(counties_in_data.county_code, 4) || '00000000'
