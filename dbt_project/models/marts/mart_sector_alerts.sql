-- Follow-up of sector alerts (部门预警核实), SPEC §6 C4, as of the latest period end in the data.
-- One row per alert of fct_sector_alert. A raised alert that no episode followed up (risk found
-- within alert_followup_days of alert_date, before or after) is overdue once the latest period
-- end is at least alert_followup_days after alert_date.
with alerts as (
    select
        alert_id,
        household_id,
        village_code,
        county_code,
        department,
        risk_type,
        alert_date,
        trigger_value,
        threshold_value,
        trigger_detail,
        already_monitored,
        is_raised,
        followed_up,
        follow_up_episode_id,
        days_to_follow_up
    from {{ ref('fct_sector_alert') }}
),

departments as (
    select
        department,
        department_zh
    from {{ ref('sector_departments') }}
),

thresholds as (
    select
        alert_followup_days
    from {{ ref('int_rule_thresholds_pivoted') }}
),

latest as (
    select
        max(period_end) as as_of_period_end
    from {{ ref('int_period_ends') }}
)

select
    alerts.alert_id,
    alerts.household_id,
    alerts.village_code,
    alerts.county_code,
    left(alerts.county_code, 4) as city_code,
    alerts.department,
    departments.department_zh,
    alerts.risk_type,
    alerts.alert_date,
    alerts.trigger_value,
    alerts.threshold_value,
    alerts.trigger_detail,
    alerts.already_monitored,
    alerts.is_raised,
    alerts.followed_up,
    alerts.follow_up_episode_id,
    alerts.days_to_follow_up,
    latest.as_of_period_end,
    coalesce(
        alerts.is_raised
        and not alerts.followed_up
        and {{ dbt.datediff('alerts.alert_date', 'latest.as_of_period_end', 'day') }} >= thresholds.alert_followup_days,
        false
    ) as overdue
from alerts
cross join thresholds
cross join latest
left join departments
    on alerts.department = departments.department
