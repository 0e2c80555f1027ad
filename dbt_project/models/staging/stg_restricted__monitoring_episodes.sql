with source as (
    select * from {{ source('restricted', 'monitoring_episodes') }}
)

select
    cast(year as integer) as ledger_year,
    cast(county_code as varchar) as county_code,
    cast(household_id as varchar) as household_id,
    cast(category as varchar) as category,
    cast(risk_types as varchar) as risk_types,
    cast(discovery_channel as varchar) as discovery_channel,
    cast(risk_found_date as date) as risk_found_date,
    cast(identified_date as date) as identified_date,
    cast(eliminated_date as date) as eliminated_date,
    source_file,
    source_sheet,
    source_row_number
from source
