-- Sector early-warning alerts (部门筛查预警), SPEC §3.6. One alert per household, department and
-- calendar month: the first record of the month that makes the department's rule true (ties by
-- file and row). alert_id = department:household_id:YYYY-MM, stable across reruns.
--   already_monitored  the household is monitored on alert_date (identified_date ≤ D <
--                      eliminated_date) by an episode listing the alert's risk type;
--   is_raised          not already_monitored;
--   followed_up        (C4) an episode of the household has risk_found_date within
--                      alert_followup_days of alert_date, before or after.
-- The household's village is that of its latest survey up to the alert's year (the first
-- survey for an alert before it), else the county of its latest monitoring ledger.
with qualifying as (
    select
        department,
        risk_type,
        household_id,
        person_key,
        record_date,
        trigger_value,
        threshold_value,
        trigger_detail,
        source_file,
        source_sheet,
        source_row_number,
        {{ year_month_label('record_date') }} as alert_month
    from {{ ref('int_sector_records_unioned') }}
    where raises_alert
),

ranked as (
    select
        qualifying.*,
        row_number() over (
            partition by department, household_id, alert_month
            order by record_date, source_file, source_row_number
        ) as rank_in_month,
        count(*) over (partition by department, household_id, alert_month) as qualifying_records
    from qualifying
),

alerts as (
    select
        department || ':' || household_id || ':' || alert_month as alert_id,
        department,
        risk_type,
        household_id,
        person_key,
        record_date as alert_date,
        alert_month,
        trigger_value,
        threshold_value,
        trigger_detail,
        cast(qualifying_records as integer) as qualifying_records,
        source_file,
        source_sheet,
        source_row_number
    from ranked
    where rank_in_month = 1
),

thresholds as (
    select
        alert_followup_days
    from {{ ref('int_rule_thresholds_pivoted') }}
),

episodes as (
    select
        episode_id,
        household_id,
        county_code,
        risk_found_date,
        identified_date,
        eliminated_date
    from {{ ref('int_monitoring_episodes_deduplicated') }}
),

monitored_for_risk as (
    select distinct
        alerts.alert_id
    from alerts
    inner join episodes
        on alerts.household_id = episodes.household_id
        and episodes.identified_date <= alerts.alert_date
        and coalesce(episodes.eliminated_date, cast('9999-12-31' as date)) > alerts.alert_date
    inner join {{ ref('int_episode_risk_types_split') }} as episode_risks
        on episodes.episode_id = episode_risks.episode_id
        and alerts.risk_type = episode_risks.risk_type
),

follow_ups as (
    -- the episode found nearest to the alert within the follow-up window
    select
        alerts.alert_id,
        episodes.episode_id,
        {{ dbt.datediff('alerts.alert_date', 'episodes.risk_found_date', 'day') }} as days_to_follow_up,
        row_number() over (
            partition by alerts.alert_id
            order by
                abs({{ dbt.datediff('alerts.alert_date', 'episodes.risk_found_date', 'day') }}),
                episodes.risk_found_date
        ) as follow_up_rank
    from alerts
    cross join thresholds
    inner join episodes
        on alerts.household_id = episodes.household_id
        and {{ dbt.datediff('alerts.alert_date', 'episodes.risk_found_date', 'day') }}
            between -thresholds.alert_followup_days and thresholds.alert_followup_days
),

villages as (
    select
        household_id,
        village_code,
        county_code,
        valid_from_year,
        valid_to_year
    from {{ ref('int_household_village_history') }}
),

ledger_counties as (
    select
        household_id,
        county_code,
        row_number() over (partition by household_id order by risk_found_date desc) as ledger_rank
    from episodes
)

select
    alerts.alert_id,
    alerts.department,
    alerts.risk_type,
    alerts.household_id,
    alerts.person_key,
    villages.village_code,
    coalesce(villages.county_code, ledger_counties.county_code) as county_code,
    alerts.alert_date,
    alerts.alert_month,
    alerts.trigger_value,
    alerts.threshold_value,
    alerts.trigger_detail,
    alerts.qualifying_records,
    monitored_for_risk.alert_id is not null as already_monitored,
    monitored_for_risk.alert_id is null as is_raised,
    follow_ups.episode_id is not null as followed_up,
    follow_ups.episode_id as follow_up_episode_id,
    follow_ups.days_to_follow_up,
    alerts.source_file,
    alerts.source_sheet,
    alerts.source_row_number
from alerts
left join monitored_for_risk
    on alerts.alert_id = monitored_for_risk.alert_id
left join follow_ups
    on alerts.alert_id = follow_ups.alert_id
    and follow_ups.follow_up_rank = 1
left join villages
    on alerts.household_id = villages.household_id
    and (villages.valid_from_year is null or villages.valid_from_year <= extract(year from alerts.alert_date))
    and (villages.valid_to_year is null or extract(year from alerts.alert_date) < villages.valid_to_year)
left join ledger_counties
    on alerts.household_id = ledger_counties.household_id
    and ledger_counties.ledger_rank = 1
