-- One row per self-report application (农户自主申报, SPEC §3.7). An application still in
-- progress (办理中) may be listed again in a later month's file; the row of the latest month
-- wins: it carries the closing date and outcome once there are.
with applications as (
    select * from {{ ref('stg_restricted__applications') }}
),

ranked as (
    select
        applications.*,
        row_number() over (
            partition by application_id
            order by record_month desc nulls last, source_file desc, source_row_number desc
        ) as listing_rank,
        count(*) over (partition by application_id) as listings
    from applications
)

select
    application_id,
    person_key,
    household_id,
    applied_date,
    subject,
    closed_date,
    outcome,
    record_month,
    cast(listings as integer) as listings,
    source_file,
    source_sheet,
    source_row_number
from ranked
where listing_rank = 1
