with source as (
    select * from {{ source('restricted', 'income') }}
)

select
    cast(year as integer) as year,
    cast(county_code as varchar) as county_code,
    cast(household_id as varchar) as household_id,
    cast(income_year as integer) as income_year,
    cast(wage_income as decimal(18, 2)) as wage_income,
    cast(operating_income as decimal(18, 2)) as operating_income,
    cast(operating_expense as decimal(18, 2)) as operating_expense,
    cast(property_income as decimal(18, 2)) as property_income,
    cast(transfer_income as decimal(18, 2)) as transfer_income,
    cast(transfer_dibao as decimal(18, 2)) as transfer_dibao,
    cast(transfer_tekun as decimal(18, 2)) as transfer_tekun,
    cast(transfer_pension as decimal(18, 2)) as transfer_pension,
    cast(transfer_eco as decimal(18, 2)) as transfer_eco,
    cast(reported_net_income as decimal(18, 2)) as reported_net_income,
    cast(reported_per_capita as decimal(18, 2)) as reported_per_capita,
    source_file,
    source_sheet,
    source_row_number
from source
