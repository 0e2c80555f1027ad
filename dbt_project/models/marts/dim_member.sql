-- Household members (家庭成员) per survey year, pseudonymised (SPEC §7.2): keyed by the salted
-- person_key; birth year only, masked name. The one place where a member counts as labour
-- (劳动力: labour skill and age, seeds labor_skills and rule_thresholds).
--
-- A view: member grain is the largest of the warehouse (8 million people a year in a
-- province) and staging already holds it pseudonymised, so it is written once
-- (docs/performance.md). Its relations are named without the database, so that the view
-- reads the tables of the file it is in under whatever name an analyst attaches that file.
{{ config(materialized='view') }}

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
    from {{ ref('stg_restricted__members').include(database=false) }}
),

labor_skills as (
    select
        labor,
        counts_as_labor
    from {{ ref('labor_skills').include(database=false) }}
),

thresholds as (
    select
        labor_age_min,
        labor_age_max
    from {{ ref('int_rule_thresholds_pivoted').include(database=false) }}
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
