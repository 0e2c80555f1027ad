-- 残联 disability certificates. Pseudonymised here, in the first step.
{%- set columns = [
    ("id_number", "varchar"),
    ("disability_category", "varchar"),
    ("disability_grade", "varchar"),
    ("issued_date", "date"),
    ("department", "varchar"),
    ("record_month", "date"),
    ("household_id", "varchar"),
    ("match_survey_year", "integer"),
    ("source_file", "varchar"),
    ("source_sheet", "varchar"),
    ("source_row_number", "integer"),
] %}

with source as (
    select * from {{ restricted_source_or_empty('sector_disability', columns) }} as raw_rows
)

select
    cast(department as varchar) as department,
    cast(record_month as date) as record_month,
    cast(household_id as varchar) as household_id,
    cast(match_survey_year as integer) as match_survey_year,
    {{ pseudonymise('id_number') }} as person_key,
    cast(disability_category as varchar) as disability_category,
    cast(disability_grade as varchar) as disability_grade,
    cast(issued_date as date) as issued_date,
    source_file,
    source_sheet,
    source_row_number
from source
