-- Calendar from 1 January of the earliest year to 31 December of the latest year of any
-- survey, episode or measure date.
with data_dates as (
    select min(survey_date) as first_date, max(survey_date) as last_date
    from {{ ref('stg_restricted__households') }}
    union all
    select min(risk_found_date), max(coalesce(eliminated_date, identified_date))
    from {{ ref('stg_restricted__monitoring_episodes') }}
    union all
    select min(start_date), max(coalesce(end_date, start_date))
    from {{ ref('stg_restricted__measures') }}
    union all
    select min(cast(cast(year as varchar) || '-01-01' as date)), max(cast(cast(year as varchar) || '-12-31' as date))
    from {{ ref('stg_restricted__households') }}
),

bounds as (
    select
        cast(cast(extract(year from min(first_date)) as varchar) || '-01-01' as date) as first_day,
        cast(cast(extract(year from max(last_date)) as varchar) || '-12-31' as date) as final_day
    from data_dates
),

day_numbers as (
    {{ dbt.generate_series(40000) }}
),

days as (
    select
        cast({{ dbt.dateadd('day', 'day_numbers.generated_number - 1', 'bounds.first_day') }} as date) as date_day,
        bounds.final_day
    from day_numbers
    cross join bounds
),

calendar as (
    select
        date_day,
        cast(extract(year from date_day) as integer) as year,
        cast(extract(quarter from date_day) as integer) as quarter,
        cast(extract(month from date_day) as integer) as month,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast(extract(isodow from date_day) as integer) as day_of_week
    from days
    where date_day <= final_day
),

with_quarter_end as (
    select
        calendar.*,
        cast(
            {{ dbt.dateadd('day', '-1', dbt.dateadd('month', '3', "cast(cast(year as varchar) || '-' || cast(quarter * 3 - 2 as varchar) || '-01' as date)")) }}
            as date
        ) as quarter_end_date
    from calendar
)

select
    date_day,
    year,
    quarter,
    month,
    day_of_month,
    day_of_week,
    cast(year as varchar) || 'Q' || cast(quarter as varchar) as year_quarter,
    quarter_end_date,
    date_day = quarter_end_date as is_quarter_end,
    (month = 12 and day_of_month = 31) as is_year_end
from with_quarter_end
