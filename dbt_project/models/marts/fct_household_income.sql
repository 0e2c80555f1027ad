-- Household income by source (收入来源): the four components of net income, one row per
-- household, survey year and income source. Σ amount over the sources = net_income.
{%- set components = [
    ('wage', 'wage_income'),
    ('operating_net', 'operating_net_income'),
    ('property', 'property_income'),
    ('transfer', 'transfer_income'),
] %}

with income as (
    select
        household_id,
        year,
        village_code,
        county_code,
        wage_income,
        operating_net_income,
        property_income,
        transfer_income
    from {{ ref('int_household_income_computed') }}
)

{% for income_source, column in components %}
select
    household_id,
    year,
    '{{ income_source }}' as income_source,
    village_code,
    county_code,
    {{ column }} as amount
from income
{% if not loop.last %}union all{% endif %}
{% endfor %}
