with source as (
    select * from {{ source('restricted', 'regions') }}
)

select
    cast(region_code as varchar) as region_code,
    cast(name as varchar) as region_name,
    cast(level as varchar) as region_level,
    cast(parent_code as varchar) as parent_code,
    cast(is_key_county as varchar) as key_county_level,
    cast(is_alleviated_county as boolean) as is_alleviated_county,
    source_file,
    source_sheet,
    source_row_number
from source
