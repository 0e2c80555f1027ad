-- Annual income of each surveyed household (年度收入), one row per household and survey year,
-- with the assessment flags of SPEC §5. Per-capita comparisons are made on exact decimals by
-- cross-multiplying (net < line × size) rather than on the rounded quotient.
-- `not materialized`: scanned twice (the year and the year before) instead of copied once
with income as not materialized (
    select
        household_id,
        year,
        village_code,
        township_code,
        county_code,
        city_code,
        province_code,
        household_size,
        wage_income,
        operating_income,
        operating_expense,
        operating_net_income,
        property_income,
        transfer_income,
        net_income,
        per_capita_net_income,
        reported_net_income
    from {{ ref('int_household_income_computed') }}
),

households as (
    select
        household_id,
        year,
        is_relocated,
        housing_safe,
        water_safe,
        education_ok,
        medical_ok,
        survey_date
    from {{ ref('stg_restricted__households') }}
),

target as (
    select
        household_id,
        year,
        is_alleviated,
        is_monitored_in_year,
        in_target_population
    from {{ ref('int_target_population') }}
),

labor as (
    select
        household_id,
        year,
        has_labor
    from {{ ref('int_households_has_labor') }}
),

lines as (
    select
        province_code,
        year,
        monitoring_line
    from {{ ref('stg_restricted__monitoring_lines') }}
),

thresholds as (
    select
        low_income_per_capita_yuan
    from {{ ref('int_rule_thresholds_pivoted') }}
),

-- the household's survey of the year before: a join on year − 1 (household and year are
-- unique) rather than a window, which sorts every wide row and spills at province scale
with_previous as (
    select
        income.*,
        previous.year as prev_year,
        previous.net_income as prev_net_income,
        previous.household_size as prev_household_size,
        previous.per_capita_net_income as prev_per_capita_net_income
    from income
    left join income as previous
        on income.household_id = previous.household_id
        and income.year - 1 = previous.year
)

select
    with_previous.household_id,
    with_previous.year,
    with_previous.village_code,
    with_previous.township_code,
    with_previous.county_code,
    with_previous.city_code,
    with_previous.province_code,
    with_previous.household_size,
    with_previous.wage_income,
    with_previous.operating_income,
    with_previous.operating_expense,
    with_previous.operating_net_income,
    with_previous.property_income,
    with_previous.transfer_income,
    with_previous.net_income,
    with_previous.per_capita_net_income,
    with_previous.prev_per_capita_net_income,
    with_previous.reported_net_income,
    lines.monitoring_line,
    target.is_alleviated,
    households.is_relocated,
    target.is_monitored_in_year,
    target.in_target_population,
    labor.has_labor,
    households.housing_safe,
    households.water_safe,
    households.education_ok,
    households.medical_ok,
    households.survey_date,
    -- 低于监测线: per-capita net income < the province's line of the year
    with_previous.net_income < lines.monitoring_line * with_previous.household_size as is_below_line,
    -- 减收户: per-capita net income below the previous year's; NULL without a survey in Y−1
    case
        when with_previous.prev_year is not null
        then with_previous.net_income * with_previous.prev_household_size
            < with_previous.prev_net_income * with_previous.household_size
    end as is_income_decrease,
    -- 低收入重点户 (Shuangyashan rule): alleviated and per-capita net income below the seed threshold
    target.is_alleviated
        and with_previous.net_income < thresholds.low_income_per_capita_yuan * with_previous.household_size
        as is_low_income_focus
from with_previous
cross join thresholds
inner join households
    on with_previous.household_id = households.household_id
    and with_previous.year = households.year
inner join target
    on with_previous.household_id = target.household_id
    and with_previous.year = target.year
inner join labor
    on with_previous.household_id = labor.household_id
    and with_previous.year = labor.year
left join lines
    on with_previous.province_code = lines.province_code
    and with_previous.year = lines.year
