-- has_labor (有劳动力) of each surveyed household and year, SPEC §3.2: at least one member
-- who counts as labour (dim_member.is_labor: a labour skill of seed labor_skills and an age on
-- 31 December of the year within the seed's labour ages).
with households as (
    select
        year,
        household_id
    from {{ ref('stg_restricted__households') }}
),

labor_members as (
    select
        year,
        household_id,
        cast(count(*) as integer) as members_listed,
        cast(sum(case when is_labor then 1 else 0 end) as integer) as labor_members
    from {{ ref('dim_member') }}
    group by
        year,
        household_id
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
