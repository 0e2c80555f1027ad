-- 住建 early-warning rule (SPEC §3.6) on every dangerous-housing assessment: a 危房等级 listed in
-- seed sector_alert_values (C, D) → 住房安全. Records are keyed by 户编号.
with records as (
    select
        household_id,
        danger_grade,
        assessed_date,
        source_file,
        source_sheet,
        source_row_number
    from {{ ref('stg_restricted__sector_housing') }}
),

alert_values as (
    select value
    from {{ ref('sector_alert_values') }}
    where department = 'housing'
        and field = 'danger_grade'
)

select
    'housing' as department,
    records.household_id,
    cast(null as varchar) as person_key,
    records.assessed_date as record_date,
    records.danger_grade,
    cast(null as decimal(18, 2)) as trigger_value,
    cast(null as decimal(18, 2)) as threshold_value,
    records.danger_grade as trigger_detail,
    alert_values.value is not null as raises_alert,
    records.source_file,
    records.source_sheet,
    records.source_row_number
from records
left join alert_values
    on records.danger_grade = alert_values.value
