-- County income-growth targets (脱贫人口持续增收), one row per county and survey year, SPEC §5–6:
--   T1 the city's (province's) balanced growth in Y ≥ its growth in Y−1 (warn);
--   T2 the county's balanced growth in Y ≥ its city's balanced growth in Y−1; a county that
--      fails it is under supervision (挂牌督办);
--   T3 the county's balanced growth ≥ rural residents' growth (county, else city, else province
--      reference of reference/rural_growth.csv).
-- Every comparison is NULL when one side is unknown. Findings are data, not test failures.
with growth as (
    select
        region_level,
        region_code,
        year,
        households_target,
        households_balanced,
        per_capita_balanced,
        per_capita_balanced_prev,
        growth_balanced,
        per_capita_unbalanced,
        per_capita_unbalanced_prev,
        growth_unbalanced
    from {{ ref('int_region_income_growth_computed') }}
),

counties as (
    select * from growth where region_level = 'county'
),

cities as (
    select * from growth where region_level = 'city'
),

provinces as (
    select * from growth where region_level = 'province'
),

regions as (
    select
        region_code,
        region_name,
        key_county_level
    from {{ ref('stg_restricted__regions') }}
),

rural_growth as (
    select
        region_code,
        year,
        rural_growth
    from {{ ref('stg_restricted__rural_growth') }}
),

assembled as (
    select
        counties.region_code as county_code,
        county_regions.region_name as county_name,
        left(counties.region_code, 4) as city_code,
        city_regions.region_name as city_name,
        left(counties.region_code, 2) as province_code,
        coalesce(county_regions.key_county_level, 'none') as key_county_level,
        counties.year,
        counties.households_target,
        counties.households_balanced,
        counties.per_capita_balanced,
        counties.per_capita_balanced_prev,
        counties.growth_balanced,
        counties.per_capita_unbalanced,
        counties.per_capita_unbalanced_prev,
        counties.growth_unbalanced,
        cities.growth_balanced as city_growth,
        cities_prev.growth_balanced as city_growth_prev_year,
        provinces.growth_balanced as province_growth,
        provinces_prev.growth_balanced as province_growth_prev_year,
        coalesce(county_rural.rural_growth, city_rural.rural_growth, province_rural.rural_growth) as rural_growth,
        case
            when county_rural.rural_growth is not null then 'county'
            when city_rural.rural_growth is not null then 'city'
            when province_rural.rural_growth is not null then 'province'
        end as rural_growth_level
    from counties
    left join regions as county_regions
        on county_regions.region_code = counties.region_code || '000000'
    left join regions as city_regions
        on city_regions.region_code = left(counties.region_code, 4) || '00000000'
    left join cities
        on cities.region_code = left(counties.region_code, 4)
        and cities.year = counties.year
    left join cities as cities_prev
        on cities_prev.region_code = left(counties.region_code, 4)
        and cities_prev.year = counties.year - 1
    left join provinces
        on provinces.region_code = left(counties.region_code, 2)
        and provinces.year = counties.year
    left join provinces as provinces_prev
        on provinces_prev.region_code = left(counties.region_code, 2)
        and provinces_prev.year = counties.year - 1
    left join rural_growth as county_rural
        on county_rural.region_code = counties.region_code
        and county_rural.year = counties.year
    left join rural_growth as city_rural
        on city_rural.region_code = left(counties.region_code, 4)
        and city_rural.year = counties.year
    left join rural_growth as province_rural
        on province_rural.region_code = left(counties.region_code, 2)
        and province_rural.year = counties.year
),

assessed as (
    select
        assembled.*,
        growth_balanced >= city_growth_prev_year as meets_target,
        city_growth >= city_growth_prev_year as city_meets_trend,
        province_growth >= province_growth_prev_year as province_meets_trend,
        growth_balanced >= rural_growth as meets_rural_growth
    from assembled
)

select
    county_code,
    county_name,
    city_code,
    city_name,
    province_code,
    key_county_level,
    key_county_level in ('provincial', 'national') as is_key_county,
    year,
    households_target,
    households_balanced,
    per_capita_balanced,
    per_capita_balanced_prev,
    growth_balanced,
    per_capita_unbalanced,
    per_capita_unbalanced_prev,
    growth_unbalanced,
    city_growth,
    city_growth_prev_year,
    province_growth,
    province_growth_prev_year,
    meets_target,
    meets_target is false as under_supervision,
    city_meets_trend,
    province_meets_trend,
    rural_growth,
    rural_growth_level,
    meets_rural_growth
from assessed
