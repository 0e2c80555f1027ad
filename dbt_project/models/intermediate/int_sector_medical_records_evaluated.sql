-- 医保 early-warning rule (SPEC §3.6) on every settlement record: the household's compliant
-- self-paid costs (合规自付) summed over its members' records settled in the window of
-- medical_window_days days up to the record's date, D − window < settlement_date ≤ D, exceed
-- medical_self_pay_yuan, or medical_self_pay_income_share of the reference income (the net
-- income of the household's latest survey of a year before the record's year) → 因病.
-- Without a reference income only the absolute threshold applies. Records are first summed per
-- household and day; the window is a range join on dates (no correlated subquery).
with records as (
    select
        household_id,
        person_key,
        settlement_date,
        self_pay,
        source_file,
        source_sheet,
        source_row_number
    from {{ ref('stg_restricted__sector_medical') }}
),

thresholds as (
    select
        medical_self_pay_yuan,
        medical_self_pay_income_share,
        medical_window_days
    from {{ ref('int_rule_thresholds_pivoted') }}
),

daily as (
    select
        household_id,
        settlement_date,
        sum(self_pay) as self_pay
    from records
    group by
        household_id,
        settlement_date
),

windowed as (
    select
        current_day.household_id,
        current_day.settlement_date,
        sum(window_day.self_pay) as self_pay_in_window
    from daily as current_day
    cross join thresholds
    inner join daily as window_day
        on window_day.household_id = current_day.household_id
        and window_day.settlement_date <= current_day.settlement_date
        and window_day.settlement_date > current_day.settlement_date - thresholds.medical_window_days
    group by
        current_day.household_id,
        current_day.settlement_date
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
        'medical' as department,
        records.household_id,
        records.person_key,
        records.settlement_date as record_date,
        records.self_pay,
        cast(windowed.self_pay_in_window as decimal(18, 2)) as self_pay_in_window,
        reference_income.survey_year as reference_survey_year,
        reference_income.net_income as reference_income,
        windowed.self_pay_in_window > thresholds.medical_self_pay_yuan
            or (
                reference_income.net_income is not null
                and windowed.self_pay_in_window
                    > thresholds.medical_self_pay_income_share * reference_income.net_income
            ) as raises_alert,
        case
            when reference_income.net_income is null then thresholds.medical_self_pay_yuan
            else least(
                thresholds.medical_self_pay_yuan,
                thresholds.medical_self_pay_income_share * reference_income.net_income
            )
        end as threshold_value,
        records.source_file,
        records.source_sheet,
        records.source_row_number
    from records
    cross join thresholds
    inner join windowed
        on records.household_id = windowed.household_id
        and records.settlement_date = windowed.settlement_date
    left join reference_income
        on records.household_id = reference_income.household_id
        and reference_income.applies_from_year <= extract(year from records.settlement_date)
        and (
            reference_income.applies_to_year is null
            or extract(year from records.settlement_date) < reference_income.applies_to_year
        )
)

select
    'medical' as department,
    household_id,
    person_key,
    record_date,
    self_pay,
    self_pay_in_window,
    reference_survey_year,
    reference_income,
    self_pay_in_window as trigger_value,
    cast(threshold_value as decimal(18, 2)) as threshold_value,
    cast(null as varchar) as trigger_detail,
    coalesce(raises_alert, false) as raises_alert,
    source_file,
    source_sheet,
    source_row_number
from evaluated
