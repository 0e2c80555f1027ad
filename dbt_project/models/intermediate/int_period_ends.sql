-- Period ends (季度末) of the quarterly marts, SPEC §5: every quarter end from the first
-- quarter of the earliest survey year to the quarter of the latest date in the survey,
-- episode or measure data, no later.
with households as (
    select
        year,
        survey_date
    from {{ ref('stg_restricted__households') }}
),

data_dates as (
    select max(survey_date) as latest_date from households
    union all
    select max(risk_found_date) from {{ ref('stg_restricted__monitoring_episodes') }}
    union all
    select max(identified_date) from {{ ref('stg_restricted__monitoring_episodes') }}
    union all
    select max(eliminated_date) from {{ ref('stg_restricted__monitoring_episodes') }}
    union all
    select max(start_date) from {{ ref('stg_restricted__measures') }}
    union all
    select max(end_date) from {{ ref('stg_restricted__measures') }}
),

bounds as (
    select
        cast(cast(min(households.year) as varchar) || '-01-01' as date) as first_quarter_start,
        (select max(latest_date) from data_dates) as latest_date
    from households
),

quarter_numbers as (
    {{ dbt.generate_series(400) }}
),

quarters as (
    select
        {{ dbt.dateadd('month', '3 * (quarter_numbers.generated_number - 1)', 'bounds.first_quarter_start') }} as period_start,
        {{ dbt.dateadd('month', '3 * quarter_numbers.generated_number', 'bounds.first_quarter_start') }} as next_period_start,
        bounds.latest_date
    from quarter_numbers
    cross join bounds
    where bounds.first_quarter_start is not null
),

period_ends as (
    select
        cast(period_start as date) as period_start,
        cast({{ dbt.dateadd('day', '-1', 'next_period_start') }} as date) as period_end
    from quarters
    where period_start <= latest_date
)

select
    period_end,
    period_start,
    cast(extract(year from period_end) as integer) as year,
    cast(extract(quarter from period_end) as integer) as quarter,
    cast(extract(year from period_end) as varchar) || 'Q' || cast(extract(quarter from period_end) as varchar) as period_label,
    -- the survey of a year is collected at its end: known from 31 December on
    case
        when extract(month from period_end) = 12 then cast(extract(year from period_end) as integer)
        else cast(extract(year from period_end) as integer) - 1
    end as survey_year_known
from period_ends
