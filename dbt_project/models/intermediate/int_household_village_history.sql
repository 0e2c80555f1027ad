-- The village (and so the county) of each household over the years, from its surveys: a
-- survey's village applies from its year until the next survey, and the first survey's village
-- also to the years before it. A household and any year Y match exactly one row with
-- (valid_from_year is null or valid_from_year <= Y) and (valid_to_year is null or Y < valid_to_year).
with surveys as (
    select
        household_id,
        year as survey_year,
        village_code
    from {{ ref('stg_restricted__households') }}
),

ordered as (
    select
        household_id,
        survey_year,
        village_code,
        lead(survey_year) over (partition by household_id order by survey_year) as next_survey_year,
        row_number() over (partition by household_id order by survey_year) as survey_seq
    from surveys
)

select
    household_id,
    survey_year,
    village_code,
    left(village_code, 6) as county_code,
    left(village_code, 4) as city_code,
    case when survey_seq = 1 then null else survey_year end as valid_from_year,
    next_survey_year as valid_to_year
from ordered
