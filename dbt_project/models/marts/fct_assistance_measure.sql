-- Assistance measures (帮扶措施), one row per measure.
with measures as (
    select
        measure_id,
        household_id,
        county_code,
        ledger_year,
        measure_type,
        detail,
        start_date,
        end_date,
        amount_yuan,
        funding_source
    from {{ ref('int_measures_deduplicated') }}
),

measure_types as (
    select
        measure_type,
        is_developmental
    from {{ ref('measure_types') }}
)

select
    measures.measure_id,
    measures.household_id,
    measures.county_code,
    measures.ledger_year,
    measures.measure_type,
    measure_types.is_developmental,
    measures.detail,
    measures.start_date,
    measures.end_date,
    measures.end_date is null as is_ongoing,
    {{ dbt.datediff('measures.start_date', 'measures.end_date', 'day') }} as duration_days,
    measures.amount_yuan,
    measures.funding_source
from measures
left join measure_types
    on measures.measure_type = measure_types.measure_type
