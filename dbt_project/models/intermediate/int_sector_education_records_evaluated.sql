-- 教育 early-warning rule (SPEC §3.6) on every enrolment change: 失学辍学 (seed
-- sector_alert_values) of a member whose age in completed years on the record's date is within
-- school_age_min–school_age_max (6–15, both included) → 因学. The birth date is the member's,
-- read from the ID number.
with records as (
    select
        household_id,
        person_key,
        birth_date,
        enrolment_status,
        change_date,
        source_file,
        source_sheet,
        source_row_number
    from {{ ref('stg_restricted__sector_education') }}
),

thresholds as (
    select
        school_age_min,
        school_age_max
    from {{ ref('int_rule_thresholds_pivoted') }}
),

alert_values as (
    select value
    from {{ ref('sector_alert_values') }}
    where department = 'education'
        and field = 'enrolment_status'
),

aged as (
    select
        records.*,
        {{ age_in_years('records.birth_date', 'records.change_date') }} as age_on_record_date
    from records
)

select
    'education' as department,
    aged.household_id,
    aged.person_key,
    aged.change_date as record_date,
    aged.enrolment_status,
    aged.age_on_record_date,
    cast(null as decimal(18, 2)) as trigger_value,
    cast(null as decimal(18, 2)) as threshold_value,
    aged.enrolment_status || '（' || cast(aged.age_on_record_date as varchar) || '岁）' as trigger_detail,
    coalesce(
        alert_values.value is not null
        and aged.age_on_record_date between thresholds.school_age_min and thresholds.school_age_max,
        false
    ) as raises_alert,
    aged.source_file,
    aged.source_sheet,
    aged.source_row_number
from aged
cross join thresholds
left join alert_values
    on aged.enrolment_status = alert_values.value
