-- 民政 early-warning rule (SPEC §3.6) on every assistance record: a record whose 救助类型 is
-- listed in seed sector_alert_values (临时救助) → 因意外事故. 低保 and 特困 records raise
-- nothing; they are the roster 综合保障 measures can be checked against.
with records as (
    select
        household_id,
        person_key,
        assistance_type,
        start_date,
        amount,
        source_file,
        source_sheet,
        source_row_number
    from {{ ref('stg_restricted__sector_civil_affairs') }}
),

alert_values as (
    select value
    from {{ ref('sector_alert_values') }}
    where department = 'civil_affairs'
        and field = 'assistance_type'
)

select
    'civil_affairs' as department,
    records.household_id,
    records.person_key,
    records.start_date as record_date,
    records.assistance_type,
    records.amount as trigger_value,
    cast(null as decimal(18, 2)) as threshold_value,
    records.assistance_type as trigger_detail,
    alert_values.value is not null as raises_alert,
    records.source_file,
    records.source_sheet,
    records.source_row_number
from records
left join alert_values
    on records.assistance_type = alert_values.value
