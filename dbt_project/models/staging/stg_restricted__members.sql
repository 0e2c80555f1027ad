-- Pseudonymised here, in the first step: gender and birth date are read from the ID number,
-- which then only survives as the salted person key; the name is masked.
with source as (
    select * from {{ source('restricted', 'members') }}
)

select
    cast(year as integer) as year,
    cast(county_code as varchar) as county_code,
    cast(household_id as varchar) as household_id,
    {{ pseudonymise('id_number') }} as person_key,
    {{ mask_name('name') }} as name_masked,
    {{ gender_from_id_number('id_number') }} as gender,
    {{ birth_date_from_id_number('id_number') }} as birth_date,
    cast(relation as varchar) as relation,
    cast(health as varchar) as health,
    cast(labor as varchar) as labor,
    cast(schooling as varchar) as schooling,
    cast(work_area as varchar) as work_area,
    cast(work_months as integer) as work_months,
    cast(medical_insured as boolean) as medical_insured,
    source_file,
    source_sheet,
    source_row_number
from source
