-- Per-capita net income and its growth of the target population per region (county, city,
-- province) and survey year, SPEC §5. A group's per-capita net income is Σ net income /
-- Σ household_size (person-weighted).
--   balanced:   households of Y's target population also surveyed in Y−1; both years'
--               incomes and sizes of exactly those households; region as of Y.
--   unbalanced: the target population of Y against the target population of Y−1, each in
--               its region of its year.
-- Growth is computed from the exact sums: (ΣnetY · ΣsizeY−1) / (ΣsizeY · ΣnetY−1) − 1.
{%- set levels = ['county', 'city', 'province'] %}

with household_years as (
    select
        income.household_id,
        income.year,
        income.county_code,
        income.city_code,
        income.province_code,
        income.net_income,
        income.household_size,
        target.in_target_population
    from {{ ref('int_household_income_computed') }} as income
    inner join {{ ref('int_target_population') }} as target
        on income.household_id = target.household_id
        and income.year = target.year
),

balanced_panel as (
    select
        current_year.household_id,
        current_year.year,
        current_year.county_code,
        current_year.city_code,
        current_year.province_code,
        current_year.net_income,
        current_year.household_size,
        previous_year.net_income as prev_net_income,
        previous_year.household_size as prev_household_size
    from household_years as current_year
    inner join household_years as previous_year
        on current_year.household_id = previous_year.household_id
        and previous_year.year = current_year.year - 1
    where current_year.in_target_population
),

regions_surveyed as (
{%- for level in levels %}
    select distinct
        '{{ level }}' as region_level,
        {{ level }}_code as region_code,
        year
    from household_years
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
),

balanced as (
{%- for level in levels %}
    select
        '{{ level }}' as region_level,
        {{ level }}_code as region_code,
        year,
        cast(count(*) as integer) as households_balanced,
        sum(net_income) as net_income_balanced,
        cast(sum(household_size) as bigint) as persons_balanced,
        sum(prev_net_income) as net_income_balanced_prev,
        cast(sum(prev_household_size) as bigint) as persons_balanced_prev
    from balanced_panel
    group by {{ level }}_code, year
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
),

target as (
{%- for level in levels %}
    select
        '{{ level }}' as region_level,
        {{ level }}_code as region_code,
        year,
        cast(count(*) as integer) as households_target,
        sum(net_income) as net_income_target,
        cast(sum(household_size) as bigint) as persons_target
    from household_years
    where in_target_population
    group by {{ level }}_code, year
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
),

joined as (
    select
        regions_surveyed.region_level,
        regions_surveyed.region_code,
        regions_surveyed.year,
        coalesce(target.households_target, 0) as households_target,
        target.net_income_target,
        target.persons_target,
        target_prev.households_target as households_target_prev,
        target_prev.net_income_target as net_income_target_prev,
        target_prev.persons_target as persons_target_prev,
        coalesce(balanced.households_balanced, 0) as households_balanced,
        balanced.net_income_balanced,
        balanced.persons_balanced,
        balanced.net_income_balanced_prev,
        balanced.persons_balanced_prev
    from regions_surveyed
    left join target
        on regions_surveyed.region_level = target.region_level
        and regions_surveyed.region_code = target.region_code
        and regions_surveyed.year = target.year
    left join target as target_prev
        on regions_surveyed.region_level = target_prev.region_level
        and regions_surveyed.region_code = target_prev.region_code
        and target_prev.year = regions_surveyed.year - 1
    left join balanced
        on regions_surveyed.region_level = balanced.region_level
        and regions_surveyed.region_code = balanced.region_code
        and regions_surveyed.year = balanced.year
)

select
    region_level,
    region_code,
    year,
    households_target,
    cast(net_income_target as decimal(18, 2)) as net_income_target,
    persons_target,
    households_balanced,
    cast(net_income_balanced as decimal(18, 2)) as net_income_balanced,
    persons_balanced,
    cast(net_income_balanced_prev as decimal(18, 2)) as net_income_balanced_prev,
    persons_balanced_prev,
    cast(net_income_balanced / nullif(persons_balanced, 0) as decimal(18, 6)) as per_capita_balanced,
    cast(net_income_balanced_prev / nullif(persons_balanced_prev, 0) as decimal(18, 6)) as per_capita_balanced_prev,
    cast(net_income_balanced as {{ type_fraction() }}) * persons_balanced_prev
        / nullif(cast(persons_balanced as {{ type_fraction() }}) * net_income_balanced_prev, 0)
        - 1 as growth_balanced,
    households_target_prev,
    cast(net_income_target / nullif(persons_target, 0) as decimal(18, 6)) as per_capita_unbalanced,
    cast(net_income_target_prev / nullif(persons_target_prev, 0) as decimal(18, 6)) as per_capita_unbalanced_prev,
    cast(net_income_target as {{ type_fraction() }}) * persons_target_prev
        / nullif(cast(persons_target as {{ type_fraction() }}) * net_income_target_prev, 0)
        - 1 as growth_unbalanced
from joined
