-- Net income (家庭纯收入) and per-capita net income (人均纯收入) of each surveyed household
-- and year, SPEC §5. Amounts stay exact decimals; nothing is rounded here.
with households as (
    select
        year,
        household_id,
        village_code,
        household_size
    from {{ ref('stg_restricted__households') }}
),

income as (
    select
        year,
        household_id,
        wage_income,
        operating_income,
        operating_expense,
        property_income,
        transfer_income,
        reported_net_income,
        reported_per_capita
    from {{ ref('stg_restricted__income') }}
),

computed as (
    select
        households.year,
        households.household_id,
        households.village_code,
        households.household_size,
        income.wage_income,
        income.operating_income,
        income.operating_expense,
        cast(income.operating_income - income.operating_expense as decimal(18, 2)) as operating_net_income,
        income.property_income,
        income.transfer_income,
        cast(
            income.wage_income
            + (income.operating_income - income.operating_expense)
            + income.property_income
            + income.transfer_income
            as decimal(18, 2)
        ) as net_income,
        income.reported_net_income,
        income.reported_per_capita
    from households
    inner join income
        on households.year = income.year
        and households.household_id = income.household_id
)

select
    year,
    household_id,
    village_code,
    left(village_code, 9) as township_code,
    left(village_code, 6) as county_code,
    left(village_code, 4) as city_code,
    left(village_code, 2) as province_code,
    household_size,
    wage_income,
    operating_income,
    operating_expense,
    operating_net_income,
    property_income,
    transfer_income,
    net_income,
    cast(net_income / household_size as decimal(18, 6)) as per_capita_net_income,
    reported_net_income,
    reported_per_capita
from computed
