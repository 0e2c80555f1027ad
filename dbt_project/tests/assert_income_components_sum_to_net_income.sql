-- The four income sources of fct_household_income add up to net_income of
-- fct_household_annual_income for every household and year, to the fen.
with components as (
    select
        household_id,
        year,
        sum(amount) as sum_of_sources,
        count(*) as sources
    from {{ ref('fct_household_income') }}
    group by household_id, year
)

select
    annual.household_id,
    annual.year,
    annual.net_income,
    components.sum_of_sources,
    components.sources
from {{ ref('fct_household_annual_income') }} as annual
left join components
    on annual.household_id = components.household_id
    and annual.year = components.year
where components.sum_of_sources is null
    or components.sum_of_sources <> annual.net_income
    or components.sources <> 4
