-- Omissions (应纳尽纳), SPEC §6 T4. At period end P, with Y the survey year known at P (year(P)
-- when P is 31 December, else year(P) − 1): a household below the line in Y (per-capita net
-- income < the province's line of Y) that has no monitoring episode active on any day from
-- 1 January of Y to P. "Active on day D" is "monitored at D": identified_date ≤ D <
-- eliminated_date (or no elimination). One row per omitted household and period end; period
-- ends whose known survey year has no survey are left out.
with below_line as (
    select
        household_id,
        year,
        village_code,
        county_code,
        city_code,
        household_size,
        net_income,
        per_capita_net_income,
        monitoring_line,
        is_alleviated
    from {{ ref('fct_household_annual_income') }}
    where is_below_line
),

period_ends as (
    select
        period_end,
        survey_year_known,
        cast(cast(survey_year_known as varchar) || '-01-01' as date) as window_start
    from {{ ref('int_period_ends') }}
),

candidates as (
    select
        below_line.*,
        period_ends.period_end,
        period_ends.window_start
    from below_line
    inner join period_ends
        on below_line.year = period_ends.survey_year_known
),

episodes as (
    select
        household_id,
        identified_date,
        eliminated_date
    from {{ ref('int_monitoring_episodes_deduplicated') }}
),

monitored_in_window as (
    -- some day D in [1 January of Y, P] with identified_date ≤ D < eliminated_date
    select distinct
        candidates.household_id,
        candidates.period_end
    from candidates
    inner join episodes
        on candidates.household_id = episodes.household_id
        and episodes.identified_date <= candidates.period_end
        and (
            episodes.eliminated_date is null
            or episodes.eliminated_date > greatest(candidates.window_start, episodes.identified_date)
        )
)

select
    candidates.household_id,
    candidates.period_end,
    candidates.year,
    candidates.village_code,
    candidates.county_code,
    candidates.city_code,
    candidates.household_size,
    candidates.net_income,
    candidates.per_capita_net_income,
    candidates.monitoring_line,
    candidates.is_alleviated
from candidates
left join monitored_in_window
    on candidates.household_id = monitored_in_window.household_id
    and candidates.period_end = monitored_in_window.period_end
where monitored_in_window.household_id is null
