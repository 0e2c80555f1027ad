-- One row per assistance measure (帮扶措施). When the ledgers of several years list the same
-- measure_id, the latest ledger wins: it carries the end date once there is one.
with measures as (
    select * from {{ ref('stg_restricted__measures') }}
),

ranked as (
    select
        measures.*,
        row_number() over (
            partition by measure_id
            order by ledger_year desc, source_file desc, source_row_number desc
        ) as ledger_rank
    from measures
)

select
    measure_id,
    household_id,
    county_code,
    ledger_year,
    measure_type,
    detail,
    start_date,
    end_date,
    amount_yuan,
    funding_source,
    source_file,
    source_sheet,
    source_row_number
from ranked
where ledger_rank = 1
