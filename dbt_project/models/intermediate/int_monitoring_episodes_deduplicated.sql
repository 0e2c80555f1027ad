-- One row per monitoring episode (监测对象台账). An episode is a household and its
-- risk_found_date (the ledger's key). When the ledgers of several years list the same
-- episode, the latest ledger wins: it carries the elimination date once there is one.
with episodes as (
    select * from {{ ref('stg_restricted__monitoring_episodes') }}
),

ranked as (
    select
        episodes.*,
        row_number() over (
            partition by household_id, risk_found_date
            order by ledger_year desc, source_file desc, source_row_number desc
        ) as ledger_rank
    from episodes
),

latest as (
    select * from ranked where ledger_rank = 1
)

select
    household_id || ':' || replace(cast(risk_found_date as varchar), '-', '') as episode_id,
    household_id,
    county_code,
    ledger_year,
    row_number() over (partition by household_id order by risk_found_date) as episode_seq,
    category,
    risk_types,
    discovery_channel,
    risk_found_date,
    identified_date,
    eliminated_date,
    source_file,
    source_sheet,
    source_row_number
from latest
