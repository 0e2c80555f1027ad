-- 教育 enrolment changes. Pseudonymised here, in the first step: the birth date is read from
-- the ID number (as for members), which then only survives as the salted person key.
{%- set columns = [
    ("id_number", "varchar"),
    ("enrolment_status", "varchar"),
    ("change_date", "date"),
    ("department", "varchar"),
    ("record_month", "date"),
    ("household_id", "varchar"),
    ("match_survey_year", "integer"),
    ("source_file", "varchar"),
    ("source_sheet", "varchar"),
    ("source_row_number", "integer"),
] %}

with source as (
    select * from {{ restricted_source_or_empty('sector_education', columns) }} as raw_rows
)

select
    cast(department as varchar) as department,
    cast(record_month as date) as record_month,
    cast(household_id as varchar) as household_id,
    cast(match_survey_year as integer) as match_survey_year,
    {{ pseudonymise('id_number') }} as person_key,
    {{ birth_date_from_id_number('id_number') }} as birth_date,
    cast(enrolment_status as varchar) as enrolment_status,
    cast(change_date as date) as change_date,
    source_file,
    source_sheet,
    source_row_number
from source
