with regions as (
    select
        region_code,
        region_name,
        region_level,
        key_county_level,
        is_alleviated_county
    from {{ ref('stg_restricted__regions') }}
),

villages as (
    select
        region_code,
        region_name
    from regions
    where region_level = 'village'
)

select
    villages.region_code as village_code,
    villages.region_name as village_name,
    left(villages.region_code, 9) as township_code,
    townships.region_name as township_name,
    left(villages.region_code, 6) as county_code,
    counties.region_name as county_name,
    left(villages.region_code, 4) as city_code,
    cities.region_name as city_name,
    left(villages.region_code, 2) as province_code,
    provinces.region_name as province_name,
    coalesce(counties.key_county_level, 'none') as key_county_level,
    coalesce(counties.key_county_level, 'none') in ('provincial', 'national') as is_key_county,
    coalesce(counties.is_alleviated_county, false) as is_alleviated_county
from villages
left join regions as townships
    on townships.region_code = left(villages.region_code, 9) || '000'
left join regions as counties
    on counties.region_code = left(villages.region_code, 6) || '000000'
left join regions as cities
    on cities.region_code = left(villages.region_code, 4) || '00000000'
left join regions as provinces
    on provinces.region_code = left(villages.region_code, 2) || '0000000000'
