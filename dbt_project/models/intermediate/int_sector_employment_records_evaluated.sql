-- 人社 early-warning rule (SPEC §3.6) on every employment-status change: 失业 or 返乡 (seed
-- sector_alert_values) of a member who worked away (务工区域 counts as working in seed
-- work_areas, i.e. ≠ 未务工) in the survey the record was matched in (the latest up to the
-- record's year), when no other member of that household in that survey did → 因务工就业不稳.
with records as (
    select
        household_id,
        match_survey_year,
        person_key,
        employment_status,
        change_date,
        source_file,
        source_sheet,
        source_row_number
    from {{ ref('stg_restricted__sector_employment') }}
),

alert_values as (
    select value
    from {{ ref('sector_alert_values') }}
    where department = 'employment'
        and field = 'employment_status'
),

record_households as (
    select distinct
        match_survey_year,
        household_id
    from records
),

members as (
    -- the members of the matched survey of the records' households only
    select
        members.year,
        members.household_id,
        members.person_key,
        members.work_area,
        coalesce(work_areas.is_working, false) as is_working
    from {{ ref('stg_restricted__members') }} as members
    inner join record_households
        on members.year = record_households.match_survey_year
        and members.household_id = record_households.household_id
    left join {{ ref('work_areas') }} as work_areas
        on members.work_area = work_areas.work_area
),

household_workers as (
    select
        year,
        household_id,
        cast(sum(case when is_working then 1 else 0 end) as integer) as members_working
    from members
    group by
        year,
        household_id
)

select
    'employment' as department,
    records.household_id,
    records.person_key,
    records.change_date as record_date,
    records.employment_status,
    records.match_survey_year,
    members.work_area as member_work_area,
    household_workers.members_working,
    cast(null as decimal(18, 2)) as trigger_value,
    cast(null as decimal(18, 2)) as threshold_value,
    records.employment_status || coalesce('（' || members.work_area || '）', '') as trigger_detail,
    coalesce(
        alert_values.value is not null
        and members.is_working
        and household_workers.members_working = 1,
        false
    ) as raises_alert,
    records.source_file,
    records.source_sheet,
    records.source_row_number
from records
left join alert_values
    on records.employment_status = alert_values.value
left join members
    on records.match_survey_year = members.year
    and records.household_id = members.household_id
    and records.person_key = members.person_key
left join household_workers
    on records.match_survey_year = household_workers.year
    and records.household_id = household_workers.household_id
