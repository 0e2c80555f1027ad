-- 应急 disaster losses, keyed by 户编号 (no personal identifier).
{%- set columns = [
    ("disaster_type", "varchar"),
    ("loss_yuan", "decimal(18, 2)"),
    ("occurred_date", "date"),
    ("department", "varchar"),
    ("record_month", "date"),
    ("household_id", "varchar"),
    ("match_survey_year", "integer"),
    ("source_file", "varchar"),
    ("source_sheet", "varchar"),
    ("source_row_number", "integer"),
] %}

with source as (
    select * from {{ restricted_source_or_empty('sector_emergency', columns) }} as raw_rows
)

select
    cast(department as varchar) as department,
    cast(record_month as date) as record_month,
    cast(household_id as varchar) as household_id,
    cast(match_survey_year as integer) as match_survey_year,
    cast(disaster_type as varchar) as disaster_type,
    cast(loss_yuan as decimal(18, 2)) as loss_yuan,
    cast(occurred_date as date) as occurred_date,
    source_file,
    source_sheet,
    source_row_number
from source
