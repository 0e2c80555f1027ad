-- 农户自主申报 self-report applications. Pseudonymised here, in the first step: the applicant's
-- ID number becomes the salted person key; 申请事项 is free text and may quote a person, so the
-- names of the household's members and head are masked and ID- or phone-shaped numbers removed.
{%- set columns = [
    ("application_id", "varchar"),
    ("id_number", "varchar"),
    ("applied_date", "date"),
    ("subject", "varchar"),
    ("closed_date", "date"),
    ("outcome", "varchar"),
    ("department", "varchar"),
    ("record_month", "date"),
    ("household_id", "varchar"),
    ("match_survey_year", "integer"),
    ("source_file", "varchar"),
    ("source_sheet", "varchar"),
    ("source_row_number", "integer"),
] %}

with source as (
    select * from {{ restricted_source_or_empty('applications', columns) }} as raw_rows
),

households_with_subject as (
    select distinct household_id
    from source
    where subject is not null
),

person_names as (
    select
        household_id,
        name as person_name
    from {{ source('restricted', 'members') }}
    where name is not null
        and household_id in (select household_id from households_with_subject)
    union
    select
        household_id,
        head_name as person_name
    from {{ source('restricted', 'households') }}
    where head_name is not null
        and household_id in (select household_id from households_with_subject)
),

names_by_household as (
    -- longest first, so that 张三丰 is masked before 张三 could cut it
    select
        household_id,
        array_agg(person_name order by length(person_name) desc, person_name) as person_names
    from person_names
    group by household_id
)

select
    cast(source.application_id as varchar) as application_id,
    {{ pseudonymise('source.id_number') }} as person_key,
    cast(source.household_id as varchar) as household_id,
    cast(source.match_survey_year as integer) as match_survey_year,
    cast(source.applied_date as date) as applied_date,
    {{ scrub_free_text('source.subject', 'names_by_household.person_names') }} as subject,
    cast(source.closed_date as date) as closed_date,
    cast(source.outcome as varchar) as outcome,
    cast(source.record_month as date) as record_month,
    source.source_file,
    source.source_sheet,
    source.source_row_number
from source
left join names_by_household
    on source.household_id = names_by_household.household_id
