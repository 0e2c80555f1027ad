-- Reference income (参考收入) of the sector rules, SPEC §3.6: the household's net income (§5) in
-- its latest survey of a year before the record's year. The net income of survey year S is the
-- reference for the record years from S + 1 up to and including the year of the next survey; a
-- household and a record year T match at most one row with
-- applies_from_year <= T and (applies_to_year is null or T < applies_to_year).
with income as (
    select
        household_id,
        year as survey_year,
        household_size,
        net_income
    from {{ ref('int_household_income_computed') }}
)

select
    household_id,
    survey_year,
    household_size,
    net_income,
    survey_year + 1 as applies_from_year,
    lead(survey_year) over (partition by household_id order by survey_year) + 1 as applies_to_year
from income
