-- A household of the survey (户信息) without its income row (收入信息) of the same year has no
-- net income and is left out of the income marts; warn so that the county can send it.
{{ config(severity='warn') }}

select
    households.year,
    households.household_id,
    households.source_file
from {{ ref('stg_restricted__households') }} as households
left join {{ ref('stg_restricted__income') }} as income
    on households.year = income.year
    and households.household_id = income.household_id
where income.household_id is null
