-- 残联 early-warning rule (SPEC §3.6) on every disability certificate: a 残疾等级 listed in seed
-- sector_alert_values (一级, 二级) → 因残.
with records as (
    select
        household_id,
        person_key,
        disability_category,
        disability_grade,
        issued_date,
        source_file,
        source_sheet,
        source_row_number
    from {{ ref('stg_restricted__sector_disability') }}
),

alert_values as (
    select value
    from {{ ref('sector_alert_values') }}
    where department = 'disability'
        and field = 'disability_grade'
)

select
    'disability' as department,
    records.household_id,
    records.person_key,
    records.issued_date as record_date,
    records.disability_category,
    records.disability_grade,
    cast(null as decimal(18, 2)) as trigger_value,
    cast(null as decimal(18, 2)) as threshold_value,
    coalesce(records.disability_category || ' ', '') || records.disability_grade as trigger_detail,
    alert_values.value is not null as raises_alert,
    records.source_file,
    records.source_sheet,
    records.source_row_number
from records
left join alert_values
    on records.disability_grade = alert_values.value
