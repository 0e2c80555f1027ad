with source as (
    select * from {{ source('restricted', 'monitoring_lines') }}
)

select
    cast(province_code as varchar) as province_code,
    cast(year as integer) as year,
    cast(line_yuan as decimal(18, 2)) as monitoring_line,
    source_file,
    source_sheet,
    source_row_number
from source
