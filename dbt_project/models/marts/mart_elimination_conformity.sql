-- Conformity of risk eliminations (风险消除规范性), SPEC §6 M2. One row per eliminated episode.
-- Using the household's survey with the greatest year ≤ the elimination year, an elimination
-- conforms when
--   income_ok       per-capita net income ≥ that year's monitoring line (收入稳定超过监测范围),
--   guarantees_ok   住房安全, 饮水安全, 义务教育保障 and 基本医疗保障 are all 是,
--   duration_ok     eliminated_date − identified_date ≥ elimination_min_days (183, seed),
--   and not no_labor_on_social_assistance: a household without labour (§3.2) in that survey with
--                   a 综合保障 measure running on the elimination date stays monitored.
-- An elimination without such a survey, or whose income is unknown, does not conform; its
-- income fields are NULL. failed_conditions names every condition that failed.
with episodes as (
    select
        episode_id,
        household_id,
        county_code,
        category,
        risk_types,
        risk_found_date,
        identified_date,
        eliminated_date
    from {{ ref('int_monitoring_episodes_deduplicated') }}
    where eliminated_date is not null
),

thresholds as (
    select
        elimination_min_days
    from {{ ref('int_rule_thresholds_pivoted') }}
),

surveys as (
    select
        year,
        household_id,
        village_code,
        household_size,
        housing_safe,
        water_safe,
        education_ok,
        medical_ok
    from {{ ref('stg_restricted__households') }}
),

survey_used as (
    -- the survey with the greatest year ≤ the elimination year
    select
        episodes.episode_id,
        surveys.year as survey_year,
        surveys.village_code,
        surveys.household_size,
        surveys.housing_safe,
        surveys.water_safe,
        surveys.education_ok,
        surveys.medical_ok,
        row_number() over (partition by episodes.episode_id order by surveys.year desc) as survey_rank
    from episodes
    inner join surveys
        on episodes.household_id = surveys.household_id
        and surveys.year <= extract(year from episodes.eliminated_date)
),

income as (
    select
        year,
        household_id,
        net_income,
        per_capita_net_income
    from {{ ref('int_household_income_computed') }}
),

lines as (
    select
        province_code,
        year,
        monitoring_line
    from {{ ref('stg_restricted__monitoring_lines') }}
),

labor as (
    select
        year,
        household_id,
        has_labor
    from {{ ref('int_households_has_labor') }}
),

social_assistance_running as (
    -- a 综合保障 measure running on the elimination date (start ≤ D, no end or end ≥ D)
    select distinct
        episodes.episode_id
    from episodes
    inner join {{ ref('int_measures_deduplicated') }} as measures
        on episodes.household_id = measures.household_id
        and measures.start_date <= episodes.eliminated_date
        and coalesce(measures.end_date, cast('9999-12-31' as date)) >= episodes.eliminated_date
    inner join {{ ref('measure_types') }} as measure_types
        on measures.measure_type = measure_types.measure_type
    where measure_types.measure_type_code = 'social_assistance'
),

assembled as (
    select
        episodes.episode_id,
        episodes.household_id,
        episodes.county_code,
        episodes.category,
        episodes.risk_types,
        episodes.identified_date,
        episodes.eliminated_date,
        {{ dbt.datediff('episodes.identified_date', 'episodes.eliminated_date', 'day') }} as duration_days,
        survey_used.survey_year,
        survey_used.village_code,
        survey_used.household_size,
        income.net_income,
        income.per_capita_net_income,
        lines.monitoring_line,
        survey_used.housing_safe,
        survey_used.water_safe,
        survey_used.education_ok,
        survey_used.medical_ok,
        labor.has_labor,
        social_assistance_running.episode_id is not null as social_assistance_running,
        thresholds.elimination_min_days
    from episodes
    cross join thresholds
    left join survey_used
        on episodes.episode_id = survey_used.episode_id
        and survey_used.survey_rank = 1
    left join income
        on episodes.household_id = income.household_id
        and survey_used.survey_year = income.year
    left join lines
        on left(survey_used.village_code, 2) = lines.province_code
        and survey_used.survey_year = lines.year
    left join labor
        on episodes.household_id = labor.household_id
        and survey_used.survey_year = labor.year
    left join social_assistance_running
        on episodes.episode_id = social_assistance_running.episode_id
),

evaluated as (
    select
        assembled.*,
        -- exact: net ≥ line × size, not a rounded quotient
        assembled.net_income >= assembled.monitoring_line * assembled.household_size as income_ok,
        assembled.housing_safe
            and assembled.water_safe
            and assembled.education_ok
            and assembled.medical_ok as guarantees_ok,
        assembled.duration_days >= assembled.elimination_min_days as duration_ok,
        (not assembled.has_labor) and assembled.social_assistance_running as no_labor_on_social_assistance
    from assembled
)

select
    household_id,
    episode_id,
    county_code,
    left(county_code, 4) as city_code,
    village_code,
    category,
    risk_types,
    identified_date,
    eliminated_date,
    {{ quarter_end_of('eliminated_date') }} as elimination_period_end,
    duration_days,
    survey_year,
    household_size,
    net_income,
    per_capita_net_income,
    monitoring_line,
    income_ok,
    housing_safe,
    water_safe,
    education_ok,
    medical_ok,
    guarantees_ok,
    duration_ok,
    has_labor,
    social_assistance_running,
    no_labor_on_social_assistance,
    coalesce(
        income_ok and guarantees_ok and duration_ok and not no_labor_on_social_assistance,
        false
    ) as is_conforming,
    nullif(concat_ws(', ',
        case when survey_year is null then 'no_survey' end,
        case when survey_year is not null and income_ok is null then 'income_unknown' end,
        case when income_ok = false then 'income_below_line' end,
        case when guarantees_ok = false then 'guarantees_not_met' end,
        case when duration_ok = false then 'duration_too_short' end,
        case when no_labor_on_social_assistance then 'no_labor_on_social_assistance' end
    ), '') as failed_conditions,
    nullif(concat_ws('；',
        case when survey_year is null then '无消除当年及以前的收入调查' end,
        case when survey_year is not null and income_ok is null then '收入或监测线缺失' end,
        case when income_ok = false then '人均纯收入低于监测线' end,
        case when guarantees_ok = false then '三保障和饮水安全未全部保障' end,
        case when duration_ok = false then '监测不足' || cast(elimination_min_days as varchar) || '天' end,
        case when no_labor_on_social_assistance then '无劳动力且综合保障在享' end
    ), '') as failed_conditions_zh
from evaluated
