-- Household members (家庭成员) per survey year, pseudonymised (SPEC §7.2): keyed by the salted
-- person_key; birth year only, masked name.
with members as (
    select
        person_key,
        year,
        household_id,
        name_masked,
        gender,
        birth_date,
        relation,
        health,
        labor,
        schooling,
        work_area,
        work_months,
        medical_insured
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
)

select
    members.person_key,
    members.year,
    members.household_id,
    members.name_masked,
    members.gender,
    cast(extract(year from members.birth_date) as integer) as birth_year,
    members.year - cast(extract(year from members.birth_date) as integer) as age_at_year_end,
    members.relation,
    members.health,
    members.labor,
    members.schooling,
    members.work_area,
    members.work_months,
    members.medical_insured,
    coalesce(
        labor_skills.counts_as_labor
        and members.year - cast(extract(year from members.birth_date) as integer)
            between thresholds.labor_age_min and thresholds.labor_age_max,
        false
    ) as is_labor
from members
cross join thresholds
left join labor_skills
    on members.labor = labor_skills.labor
