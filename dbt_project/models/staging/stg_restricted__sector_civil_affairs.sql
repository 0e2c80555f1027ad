-- 民政 assistance records. Pseudonymised here, in the first step.
{%- set columns = [
    ("id_number", "varchar"),
    ("assistance_type", "varchar"),
    ("start_date", "date"),
    ("amount", "decimal(18, 2)"),
    ("department", "varchar"),
    ("record_month", "date"),
    ("household_id", "varchar"),
    ("match_survey_year", "integer"),
    ("source_file", "varchar"),
    ("source_sheet", "varchar"),
    ("source_row_number", "integer"),
] %}

with source as (
    select * from {{ restricted_source_or_empty('sector_civil_affairs', columns) }} as raw_rows
)

select
    cast(department as varchar) as department,
    cast(record_month as date) as record_month,
    cast(household_id as varchar) as household_id,
    cast(match_survey_year as integer) as match_survey_year,
    {{ pseudonymise('id_number') }} as person_key,
    cast(assistance_type as varchar) as assistance_type,
    cast(start_date as date) as start_date,
    cast(amount as decimal(18, 2)) as amount,
    source_file,
    source_sheet,
    source_row_number
from source
