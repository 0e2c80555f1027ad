-- Target population (脱贫人口和监测对象) of each survey year, SPEC §5: a household surveyed in
-- year Y is in it when it is alleviated (脱贫户) or has a monitoring episode active on any day
-- of Y. "Active on day D" is "monitored at D": identified_date ≤ D < eliminated_date (or no
-- elimination). One row per surveyed household and year, in the population or not.
with households as (
    select
        year,
        household_id,
        is_alleviated
    from {{ ref('stg_restricted__households') }}
),

episodes as (
    select
        household_id,
        identified_date,
        eliminated_date
    from {{ ref('int_monitoring_episodes_deduplicated') }}
),

survey_years as (
    select
        year,
        cast(cast(year as varchar) || '-01-01' as date) as year_start,
        cast(cast(year as varchar) || '-12-31' as date) as year_end
    from (select distinct year from households) as years
),

monitored_years as (
    -- some day D of the year with identified_date ≤ D < eliminated_date
    select distinct
        episodes.household_id,
        survey_years.year
    from episodes
    inner join survey_years
        on episodes.identified_date <= survey_years.year_end
        and (
            episodes.eliminated_date is null
            or episodes.eliminated_date > greatest(survey_years.year_start, episodes.identified_date)
        )
)

select
    households.year,
    households.household_id,
    households.is_alleviated,
    monitored_years.household_id is not null as is_monitored_in_year,
    households.is_alleviated or monitored_years.household_id is not null as in_target_population
from households
left join monitored_years
    on households.household_id = monitored_years.household_id
    and households.year = monitored_years.year
