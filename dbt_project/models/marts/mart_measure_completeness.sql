-- Assistance completeness (帮扶措施落实) of the households monitored at each period end, one row
-- per household monitored at P and P, SPEC §6:
--   C1 每户至少一项: at least one running measure;
--   C2 缺什么补什么: a running measure whose type answers one of the episode's risk types
--      (seed measure_type_answers);
--   C3 一兜了之: the household has labour (latest survey up to P's year) and ≥ 1 running
--      measure, all of them 综合保障.
-- Findings are data for the Soda checks and the report, not test failures.
with monitored as (
    select
        household_id,
        period_end,
        episode_id,
        county_code as ledger_county_code,
        category,
        risk_types,
        identified_date
    from {{ ref('int_episodes_monitored_at_period_end') }}
),

running_by_type as (
    select
        household_id,
        period_end,
        measure_type,
        running_measures
    from {{ ref('int_measures_running_at_period_end') }}
),

measure_types as (
    select
        measure_type,
        measure_type_code,
        sort_order
    from {{ ref('measure_types') }}
),

running as (
    select
        running_by_type.household_id,
        running_by_type.period_end,
        cast(sum(running_by_type.running_measures) as integer) as running_measures,
        cast(sum(
            case
                when measure_types.measure_type_code = 'social_assistance'
                then running_by_type.running_measures
                else 0
            end
        ) as integer) as social_assistance_measures,
        {{ dbt.listagg('running_by_type.measure_type', "'、'", 'order by measure_types.sort_order, running_by_type.measure_type') }} as running_measure_types
    from running_by_type
    inner join monitored
        on running_by_type.household_id = monitored.household_id
        and running_by_type.period_end = monitored.period_end
    left join measure_types
        on running_by_type.measure_type = measure_types.measure_type
    group by
        running_by_type.household_id,
        running_by_type.period_end
),

targeted as (
    select distinct
        monitored.household_id,
        monitored.period_end
    from monitored
    inner join {{ ref('int_episode_risk_types_split') }} as episode_risks
        on monitored.episode_id = episode_risks.episode_id
    inner join {{ ref('measure_type_answers') }} as answers
        on episode_risks.risk_type = answers.risk_type
    inner join running_by_type
        on monitored.household_id = running_by_type.household_id
        and monitored.period_end = running_by_type.period_end
        and answers.measure_type = running_by_type.measure_type
),

latest_survey as (
    -- the household's latest survey up to the period end's year
    select
        monitored.household_id,
        monitored.period_end,
        surveys.year as survey_year,
        surveys.village_code,
        row_number() over (
            partition by monitored.household_id, monitored.period_end
            order by surveys.year desc
        ) as survey_rank
    from monitored
    inner join {{ ref('stg_restricted__households') }} as surveys
        on monitored.household_id = surveys.household_id
        and surveys.year <= extract(year from monitored.period_end)
),

labor as (
    select
        household_id,
        year,
        has_labor
    from {{ ref('int_households_has_labor') }}
),

assembled as (
    select
        monitored.household_id,
        monitored.period_end,
        latest_survey.village_code,
        coalesce(left(latest_survey.village_code, 6), monitored.ledger_county_code) as county_code,
        monitored.episode_id,
        monitored.category,
        monitored.risk_types,
        monitored.identified_date,
        latest_survey.survey_year as labor_survey_year,
        labor.has_labor,
        coalesce(running.running_measures, 0) as running_measures,
        coalesce(running.social_assistance_measures, 0) as social_assistance_measures,
        running.running_measure_types,
        targeted.household_id is not null as has_targeted_measure
    from monitored
    left join latest_survey
        on monitored.household_id = latest_survey.household_id
        and monitored.period_end = latest_survey.period_end
        and latest_survey.survey_rank = 1
    left join labor
        on latest_survey.household_id = labor.household_id
        and latest_survey.survey_year = labor.year
    left join running
        on monitored.household_id = running.household_id
        and monitored.period_end = running.period_end
    left join targeted
        on monitored.household_id = targeted.household_id
        and monitored.period_end = targeted.period_end
)

select
    household_id,
    period_end,
    village_code,
    county_code,
    left(county_code, 4) as city_code,
    episode_id,
    category,
    risk_types,
    identified_date,
    labor_survey_year,
    has_labor,
    running_measures,
    running_measure_types,
    running_measures > 0 as has_running_measure,
    has_targeted_measure,
    has_labor
        and running_measures > 0
        and social_assistance_measures = running_measures
        as is_yidou
from assembled
