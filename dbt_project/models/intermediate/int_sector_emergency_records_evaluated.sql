-- 应急 early-warning rule (SPEC §3.6) on every disaster-loss record: the loss exceeds
-- emergency_loss_income_share of the reference income (the net income of the household's latest
-- survey of a year before the record's year) → 因灾; without a reference income, a loss above
-- emergency_loss_yuan. Records are keyed by 户编号.
with records as (
    select
        household_id,
        disaster_type,
        loss_yuan,
        occurred_date,
        source_file,
        source_sheet,
        source_row_number
    from {{ ref('stg_restricted__sector_emergency') }}
),

thresholds as (
    select
        emergency_loss_income_share,
        emergency_loss_yuan
    from {{ ref('int_rule_thresholds_pivoted') }}
),

reference_income as (
    select
        household_id,
        survey_year,
        net_income,
        applies_from_year,
        applies_to_year
    from {{ ref('int_household_reference_income') }}
),

evaluated as (
    select
        records.*,
        reference_income.survey_year as reference_survey_year,
        reference_income.net_income as reference_income,
        case
            when reference_income.net_income is null
            then records.loss_yuan > thresholds.emergency_loss_yuan
            else records.loss_yuan > thresholds.emergency_loss_income_share * reference_income.net_income
        end as raises_alert,
        case
            when reference_income.net_income is null then thresholds.emergency_loss_yuan
            else thresholds.emergency_loss_income_share * reference_income.net_income
        end as threshold_value
    from records
    cross join thresholds
    left join reference_income
        on records.household_id = reference_income.household_id
        and reference_income.applies_from_year <= extract(year from records.occurred_date)
        and (
            reference_income.applies_to_year is null
            or extract(year from records.occurred_date) < reference_income.applies_to_year
        )
)

select
    'emergency' as department,
    household_id,
    cast(null as varchar) as person_key,
    occurred_date as record_date,
    disaster_type,
    loss_yuan,
    reference_survey_year,
    reference_income,
    loss_yuan as trigger_value,
    cast(threshold_value as decimal(18, 2)) as threshold_value,
    disaster_type as trigger_detail,
    coalesce(raises_alert, false) as raises_alert,
    source_file,
    source_sheet,
    source_row_number
from evaluated
