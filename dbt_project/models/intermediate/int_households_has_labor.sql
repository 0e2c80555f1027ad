-- has_labor (有劳动力) of each surveyed household and year, SPEC §3.2: at least one member
-- whose 劳动技能 counts as labour (seed labor_skills) and whose age on 31 December of the
-- year is within the seed's labour ages. Age on 31 December = year − birth year.
with households as (
    select
        year,
        household_id
    from {{ ref('stg_restricted__households') }}
),

members as (
    select
        year,
        household_id,
        labor,
        extract(year from birth_date) as birth_year
    from {{ ref('stg_restricted__members') }}
),

labor_skills as (
    select
        labor,
        counts_as_labor
    from {{ ref('labor_skills') }}
),

thresholds as (
    select
        labor_age_min,
        labor_age_max
    from {{ ref('int_rule_thresholds_pivoted') }}
),

labor_members as (
    select
        members.year,
        members.household_id,
        cast(count(*) as integer) as members_listed,
        cast(sum(
            case
                when labor_skills.counts_as_labor
                    and members.year - members.birth_year
                        between thresholds.labor_age_min and thresholds.labor_age_max
                then 1
                else 0
            end
        ) as integer) as labor_members
    from members
    cross join thresholds
    left join labor_skills
        on members.labor = labor_skills.labor
    group by
        members.year,
        members.household_id
)

select
    households.year,
    households.household_id,
    coalesce(labor_members.members_listed, 0) as members_listed,
    coalesce(labor_members.labor_members, 0) as labor_members,
    coalesce(labor_members.labor_members, 0) > 0 as has_labor
from households
left join labor_members
    on households.year = labor_members.year
    and households.household_id = labor_members.household_id
