-- Running assistance measures at each period end, SPEC §5: start_date ≤ P and (no end_date
-- or end_date ≥ P). One row per household, period end and measure type (措施类别) with the
-- number of its running measures. Range join on dates, no correlated subquery.
with measures as (
    select
        measure_id,
        household_id,
        measure_type,
        start_date,
        end_date
    from {{ ref('int_measures_deduplicated') }}
),

period_ends as (
    select
        period_end
    from {{ ref('int_period_ends') }}
)

select
    measures.household_id,
    period_ends.period_end,
    measures.measure_type,
    cast(count(*) as integer) as running_measures
from measures
inner join period_ends
    on measures.start_date <= period_ends.period_end
    and coalesce(measures.end_date, cast('9999-12-31' as date)) >= period_ends.period_end
group by
    measures.household_id,
    period_ends.period_end,
    measures.measure_type
