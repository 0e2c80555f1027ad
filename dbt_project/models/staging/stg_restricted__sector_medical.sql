-- 医保 settlements. Pseudonymised here, in the first step: the ID number becomes the salted
-- person key and goes no further.
{%- set columns = [
    ("id_number", "varchar"),
    ("settlement_date", "date"),
    ("total_cost", "decimal(18, 2)"),
    ("self_pay", "decimal(18, 2)"),
    ("department", "varchar"),
    ("record_month", "date"),
    ("household_id", "varchar"),
    ("match_survey_year", "integer"),
    ("source_file", "varchar"),
    ("source_sheet", "varchar"),
    ("source_row_number", "integer"),
] %}

with source as (
    select * from {{ restricted_source_or_empty('sector_medical', columns) }} as raw_rows
)

select
    cast(department as varchar) as department,
    cast(record_month as date) as record_month,
    cast(household_id as varchar) as household_id,
    cast(match_survey_year as integer) as match_survey_year,
    {{ pseudonymise('id_number') }} as person_key,
    cast(settlement_date as date) as settlement_date,
    cast(total_cost as decimal(18, 2)) as total_cost,
    cast(self_pay as decimal(18, 2)) as self_pay,
    source_file,
    source_sheet,
    source_row_number
from source
