with source as (
    select * from {{ source('restricted', 'rural_growth') }}
)

select
    {{ significant_region_code('trim(cast(region_code as varchar))') }} as region_code,
    cast(region_code as varchar) as region_code_as_given,
    cast(year as integer) as year,
    cast(growth as decimal(18, 6)) as rural_growth,
    source_file,
    source_sheet,
    source_row_number
from source
