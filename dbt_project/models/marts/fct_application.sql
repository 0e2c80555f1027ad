-- Self-report applications (农户自主申报, SPEC §3.7), one row per application (the latest
-- month's listing). The applicant is pseudonymised (person_key). The household's village is that
-- of its latest survey up to the year of application (the first survey for an earlier one).
with applications as (
    select
        application_id,
        person_key,
        household_id,
        applied_date,
        subject,
        closed_date,
        outcome,
        record_month,
        listings
    from {{ ref('int_applications_deduplicated') }}
),

villages as (
    select
        household_id,
        village_code,
        county_code,
        valid_from_year,
        valid_to_year
    from {{ ref('int_household_village_history') }}
)

select
    applications.application_id,
    applications.person_key,
    applications.household_id,
    villages.village_code,
    villages.county_code,
    applications.applied_date,
    applications.closed_date,
    applications.subject,
    applications.outcome,
    applications.closed_date is not null as is_closed,
    {{ dbt.datediff('applications.applied_date', 'applications.closed_date', 'day') }} as days_to_close,
    applications.record_month as last_listed_month,
    applications.listings
from applications
left join villages
    on applications.household_id = villages.household_id
    and (villages.valid_from_year is null or villages.valid_from_year <= extract(year from applications.applied_date))
    and (villages.valid_to_year is null or extract(year from applications.applied_date) < villages.valid_to_year)
