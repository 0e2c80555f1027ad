-- Closure of self-report applications (农户自主申报办结率) per county and period end (季度末),
-- cumulative from the start of the data, as the programme reports it: applications received by
-- P, closed by P, closure_rate = closed / applications (NULL without applications) and the mean
-- days from application to closing of those closed by P; plus the quarter's own counts. Every
-- county of the data at every period end. Applications before the first period end count from
-- it; those after the latest are not in the table yet.
with applications as (
    select
        county_code,
        applied_date,
        closed_date,
        days_to_close
    from {{ ref('fct_application') }}
),

spine as (
    select
        county_code,
        county_name,
        city_code,
        period_end,
        period_start,
        period_label
    from {{ ref('int_county_period_ends') }}
),

first_period as (
    select min(period_end) as first_period_end from spine
),

received as (
    select
        applications.county_code,
        greatest({{ quarter_end_of('applications.applied_date') }}, first_period.first_period_end) as period_end,
        count(*) as applications
    from applications
    cross join first_period
    group by 1, 2
),

closed as (
    select
        applications.county_code,
        greatest({{ quarter_end_of('applications.closed_date') }}, first_period.first_period_end) as period_end,
        count(*) as closed,
        sum(applications.days_to_close) as days_to_close
    from applications
    cross join first_period
    where applications.closed_date is not null
    group by 1, 2
),

quarterly as (
    select
        spine.county_code,
        spine.county_name,
        spine.city_code,
        spine.period_end,
        spine.period_label,
        coalesce(received.applications, 0) as applications_in_quarter,
        coalesce(closed.closed, 0) as closed_in_quarter,
        coalesce(closed.days_to_close, 0) as days_to_close_in_quarter
    from spine
    left join received
        on spine.county_code = received.county_code
        and spine.period_end = received.period_end
    left join closed
        on spine.county_code = closed.county_code
        and spine.period_end = closed.period_end
),

cumulative as (
    select
        quarterly.*,
        sum(applications_in_quarter) over county_history as applications,
        sum(closed_in_quarter) over county_history as closed,
        sum(days_to_close_in_quarter) over county_history as days_to_close
    from quarterly
    window county_history as (
        partition by county_code
        order by period_end
        rows between unbounded preceding and current row
    )
)

select
    county_code,
    county_name,
    city_code,
    period_end,
    period_label,
    cast(applications as integer) as applications,
    cast(closed as integer) as closed,
    cast(applications - closed as integer) as open_applications,
    cast(closed as {{ type_fraction() }}) / nullif(applications, 0) as closure_rate,
    cast(days_to_close as {{ type_fraction() }}) / nullif(closed, 0) as mean_days_to_close,
    cast(applications_in_quarter as integer) as applications_in_quarter,
    cast(closed_in_quarter as integer) as closed_in_quarter
from cumulative
