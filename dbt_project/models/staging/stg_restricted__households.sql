-- Pseudonymised here, in the first step: the head's ID number becomes a person key, the
-- name is masked, the phone is dropped.
with source as (
    select * from {{ source('restricted', 'households') }}
)

select
    cast(year as integer) as year,
    cast(county_code as varchar) as county_code,
    cast(household_id as varchar) as household_id,
    cast(village_code as varchar) as village_code,
    {{ pseudonymise('head_id_number') }} as head_person_key,
    {{ mask_name('head_name') }} as head_name_masked,
    cast(household_size as integer) as household_size,
    cast(is_alleviated as boolean) as is_alleviated,
    cast(is_relocated as boolean) as is_relocated,
    cast(housing_safe as boolean) as housing_safe,
    cast(water_safe as boolean) as water_safe,
    cast(education_ok as boolean) as education_ok,
    cast(medical_ok as boolean) as medical_ok,
    cast(survey_date as date) as survey_date,
    source_file,
    source_sheet,
    source_row_number
from source
