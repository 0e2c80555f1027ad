-- 人社 employment-status changes. Pseudonymised here, in the first step.
{%- set columns = [
    ("id_number", "varchar"),
    ("employment_status", "varchar"),
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
    select * from {{ restricted_source_or_empty('sector_employment', columns) }} as raw_rows
)

select
    cast(department as varchar) as department,
    cast(record_month as date) as record_month,
    cast(household_id as varchar) as household_id,
    cast(match_survey_year as integer) as match_survey_year,
    {{ pseudonymise('id_number') }} as person_key,
    cast(employment_status as varchar) as employment_status,
    cast(change_date as date) as change_date,
    source_file,
    source_sheet,
    source_row_number
from source
