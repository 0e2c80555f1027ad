-- 措施内容 is free text typed by county offices and may quote a member: the names of the
-- household's members and head are masked and ID- or phone-shaped numbers removed here.
with source as (
    select * from {{ source('restricted', 'measures') }}
),

households_with_detail as (
    select distinct household_id
    from source
    where detail is not null
),

person_names as (
    select
        household_id,
        name as person_name
    from {{ source('restricted', 'members') }}
    where name is not null
        and household_id in (select household_id from households_with_detail)
    union
    select
        household_id,
        head_name as person_name
    from {{ source('restricted', 'households') }}
    where head_name is not null
        and household_id in (select household_id from households_with_detail)
),

names_by_household as (
    -- longest first, so that 张三丰 is masked before 张三 could cut it
    select
        household_id,
        array_agg(person_name order by length(person_name) desc, person_name) as person_names
    from person_names
    group by household_id
)

select
    cast(source.year as integer) as ledger_year,
    cast(source.county_code as varchar) as county_code,
    cast(source.measure_id as varchar) as measure_id,
    cast(source.household_id as varchar) as household_id,
    cast(source.measure_type as varchar) as measure_type,
    {{ scrub_free_text('source.detail', 'names_by_household.person_names') }} as detail,
    cast(source.start_date as date) as start_date,
    cast(source.end_date as date) as end_date,
    cast(source.amount_yuan as decimal(18, 2)) as amount_yuan,
    cast(source.funding_source as varchar) as funding_source,
    source.source_file,
    source.source_sheet,
    source.source_row_number
from source
left join names_by_household
    on source.household_id = names_by_household.household_id
