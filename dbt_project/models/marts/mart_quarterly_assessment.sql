-- depends_on: {{ ref('measure_types') }}
-- depends_on: {{ ref('monitoring_categories') }}
-- Quarterly assessment (季度评估) headline figures, one row per region and period end P:
-- region_level 'county' (the SPEC §7.1 grain county × period end), and the same figures summed
-- over each 'city' and 'province'. Y = survey_year, the survey year known at P (SPEC §5).
--   income figures        target population / surveyed households of Y, region of Y's survey;
--   monitoring at P       mart_measure_completeness (region of the latest survey, else ledger);
--   episode flows         fct_monitoring_episode (county of the ledger): found and eliminated
--                         in the quarter (period_start ≤ date ≤ P) and up to P;
--   rules                 the lifecycle and alert marts, counted per county: M1
--                         mart_identification_timeliness, T4 mart_omissions, M2
--                         mart_elimination_conformity, M3 mart_episode_overlaps, C4 mart_sector_alerts;
--   growth                int_region_income_growth_computed (balanced panel, every level) and
--                         the verdicts of mart_county_income_targets (T1, T2, T3).
-- Counts are summed from counties to cities and provinces; rates and shares are recomputed
-- from the summed numerators and denominators. *_change = the figure at P minus the figure at
-- the previous period end of the same region (NULL at the first one).
-- One monitored_<category_code> column per seed monitoring_categories row and one
-- coverage_<measure_type_code> column per seed measure_types row: the lists are the seeds.
{%- set categories = [] %}
{%- set measure_types = [] %}
{%- if execute %}
    {%- set categories = run_query(
        'select category, category_code from ' ~ ref('monitoring_categories') ~ ' order by sort_order'
    ).rows %}
    {%- set measure_types = run_query(
        'select measure_type, measure_type_code from ' ~ ref('measure_types') ~ ' order by sort_order'
    ).rows %}
{%- endif %}

{#- figures summed from counties to cities and provinces #}
{%- set additive = [
    'key_counties',
    'monitored_households',
] %}
{%- for category, code in categories %}{% do additive.append('monitored_' ~ code) %}{% endfor %}
{%- do additive.extend([
    'households_with_measure',
    'households_with_targeted_measure',
    'yidou_households',
]) %}
{%- for measure_type, code in measure_types %}{% do additive.append('households_' ~ code) %}{% endfor %}
{%- do additive.extend([
    'risks_found_to_date',
    'identified_to_date',
    'eliminated_to_date',
    'risks_found',
    'newly_identified',
    'identified_within_limit',
    'newly_eliminated',
    'overlapping_episodes',
    'non_conforming_eliminations',
    'alerts_raised',
    'alerts_followed_up',
    'overdue_alerts',
    'target_households',
    'target_people',
    'target_net_income',
    'target_wage_income',
    'target_operating_net_income',
    'target_property_income',
    'target_transfer_income',
    'income_decrease_households',
    'low_income_focus_households',
    'below_line_households',
    'omissions',
    'counties_under_supervision',
    'counties_below_rural_growth',
]) %}

{%- set money = [
    'target_net_income',
    'target_wage_income',
    'target_operating_net_income',
    'target_property_income',
    'target_transfer_income',
] %}

{#- headline figures that get a *_change column #}
{%- set changed = ['target_households', 'target_people', 'monitored_households'] %}
{%- for category, code in categories %}{% do changed.append('monitored_' ~ code) %}{% endfor %}
{%- do changed.extend([
    'newly_identified',
    'newly_eliminated',
    'elimination_rate',
    'identification_within_limit_rate',
    'measure_coverage',
    'targeted_measure_coverage',
]) %}
{%- for measure_type, code in measure_types %}{% do changed.append('coverage_' ~ code) %}{% endfor %}
{%- do changed.extend([
    'yidou_households',
    'per_capita_net_income',
    'growth_balanced',
    'wage_share',
    'operating_net_share',
    'property_share',
    'transfer_share',
    'income_decrease_households',
    'low_income_focus_households',
    'omissions',
    'alert_followup_rate',
]) %}

with period_ends as (
    select
        period_end,
        period_start,
        period_label,
        survey_year_known as survey_year
    from {{ ref('int_period_ends') }}
),

counties as (
    select distinct
        county_code,
        county_name,
        city_code,
        city_name,
        province_code,
        province_name,
        key_county_level,
        is_key_county
    from {{ ref('dim_region') }}
),

county_periods as (
    select
        counties.county_code,
        counties.city_code,
        counties.province_code,
        counties.is_key_county,
        period_ends.period_end,
        period_ends.survey_year
    from counties
    cross join period_ends
),

-- households monitored at P (监测户) and their measures (C1–C3)
completeness as (
    select
        household_id,
        period_end,
        county_code,
        category,
        has_running_measure,
        has_targeted_measure,
        is_yidou
    from {{ ref('mart_measure_completeness') }}
),

monitored as (
    select
        county_code,
        period_end,
        count(*) as monitored_households,
        {%- for category, code in categories %}
        sum(case when category = '{{ category }}' then 1 else 0 end) as monitored_{{ code }},
        {%- endfor %}
        sum(case when has_running_measure then 1 else 0 end) as households_with_measure,
        sum(case when has_targeted_measure then 1 else 0 end) as households_with_targeted_measure,
        sum(case when is_yidou then 1 else 0 end) as yidou_households
    from completeness
    group by
        county_code,
        period_end
),

-- monitored households with a running measure of each type (one row per household and type)
measure_type_coverage as (
    select
        completeness.county_code,
        completeness.period_end
        {%- for measure_type, code in measure_types %},
        sum(case when running.measure_type = '{{ measure_type }}' then 1 else 0 end) as households_{{ code }}
        {%- endfor %}
    from completeness
    inner join {{ ref('int_measures_running_at_period_end') }} as running
        on completeness.household_id = running.household_id
        and completeness.period_end = running.period_end
    group by
        completeness.county_code,
        completeness.period_end
),

episodes as (
    select
        episode_id,
        household_id,
        county_code,
        risk_found_date,
        identified_date,
        eliminated_date
    from {{ ref('fct_monitoring_episode') }}
),

-- found (风险发现) → identified (识别认定) → eliminated (风险消除), in the quarter and up to P
episode_flows as (
    select
        episodes.county_code,
        period_ends.period_end,
        count(*) as risks_found_to_date,
        sum(case when episodes.identified_date <= period_ends.period_end then 1 else 0 end) as identified_to_date,
        sum(case when episodes.eliminated_date <= period_ends.period_end then 1 else 0 end) as eliminated_to_date,
        sum(case when episodes.risk_found_date >= period_ends.period_start then 1 else 0 end) as risks_found,
        sum(
            case
                when episodes.eliminated_date between period_ends.period_start and period_ends.period_end
                then 1 else 0
            end
        ) as newly_eliminated
    from episodes
    inner join period_ends
        on episodes.risk_found_date <= period_ends.period_end
    group by
        episodes.county_code,
        period_ends.period_end
),

-- M1 识别认定时效: episodes identified in the quarter, and within the limit (county of the ledger)
timeliness as (
    select
        county_code,
        period_end,
        episodes_identified as newly_identified,
        identified_within_limit
    from {{ ref('mart_identification_timeliness') }}
),

-- T4 应纳尽纳: households below the line in Y not monitored from 1 January of Y to P
omission_counts as (
    select
        county_code,
        period_end,
        count(*) as omissions
    from {{ ref('mart_omissions') }}
    group by
        county_code,
        period_end
),

-- M2: eliminations (风险消除) of the quarter that do not conform
non_conforming as (
    select
        eliminations.county_code,
        period_ends.period_end,
        count(*) as non_conforming_eliminations
    from {{ ref('mart_elimination_conformity') }} as eliminations
    inner join period_ends
        on eliminations.eliminated_date between period_ends.period_start and period_ends.period_end
    where not eliminations.is_conforming
    group by
        eliminations.county_code,
        period_ends.period_end
),

-- M3: episodes found by P that overlap another episode of the household or are out of order
overlapping as (
    select
        episode_checks.county_code,
        period_ends.period_end,
        count(*) as overlapping_episodes
    from {{ ref('mart_episode_overlaps') }} as episode_checks
    inner join period_ends
        on episode_checks.risk_found_date <= period_ends.period_end
    where episode_checks.violates_m3
    group by
        episode_checks.county_code,
        period_ends.period_end
),

-- C4: raised sector alerts (部门预警) of the quarter; followed up and overdue (as
-- mart_sector_alerts judges them at the latest period end) among the alerts raised up to P
alert_counts as (
    select
        alerts.county_code,
        period_ends.period_end,
        sum(case when alerts.alert_date >= period_ends.period_start then 1 else 0 end) as alerts_raised,
        sum(case when alerts.followed_up then 1 else 0 end) as alerts_followed_up,
        sum(case when alerts.overdue then 1 else 0 end) as overdue_alerts
    from {{ ref('mart_sector_alerts') }} as alerts
    inner join period_ends
        on alerts.alert_date <= period_ends.period_end
    where alerts.is_raised
    group by
        alerts.county_code,
        period_ends.period_end
),

-- income of the survey year known at P, per county of the survey (NULL when Y was not surveyed)
income as (
    select
        annual.county_code,
        period_ends.period_end,
        sum(case when annual.in_target_population then 1 else 0 end) as target_households,
        sum(case when annual.in_target_population then annual.household_size else 0 end) as target_people,
        sum(case when annual.in_target_population then annual.net_income else 0 end) as target_net_income,
        sum(case when annual.in_target_population then annual.wage_income else 0 end) as target_wage_income,
        sum(case when annual.in_target_population then annual.operating_net_income else 0 end) as target_operating_net_income,
        sum(case when annual.in_target_population then annual.property_income else 0 end) as target_property_income,
        sum(case when annual.in_target_population then annual.transfer_income else 0 end) as target_transfer_income,
        -- 减收户 of the target population (脱贫人口和监测对象)
        -- (unknown, NULL, in the first survey year: there is no Y−1 to compare with)
        sum(
            case
                when annual.in_target_population and annual.is_income_decrease is not null
                then case when annual.is_income_decrease then 1 else 0 end
            end
        ) as income_decrease_households,
        sum(case when annual.is_low_income_focus then 1 else 0 end) as low_income_focus_households,
        sum(case when annual.is_below_line then 1 else 0 end) as below_line_households
    from {{ ref('fct_household_annual_income') }} as annual
    inner join period_ends
        on annual.year = period_ends.survey_year
    group by
        annual.county_code,
        period_ends.period_end
),

county_targets as (
    select
        county_code,
        year,
        city_growth_prev_year,
        meets_target,
        under_supervision,
        rural_growth,
        meets_rural_growth
    from {{ ref('mart_county_income_targets') }}
),

county_figures as (
    select
        county_periods.county_code,
        county_periods.city_code,
        county_periods.province_code,
        county_periods.period_end,
        case when county_periods.is_key_county then 1 else 0 end as key_counties,
        coalesce(monitored.monitored_households, 0) as monitored_households,
        {%- for category, code in categories %}
        coalesce(monitored.monitored_{{ code }}, 0) as monitored_{{ code }},
        {%- endfor %}
        coalesce(monitored.households_with_measure, 0) as households_with_measure,
        coalesce(monitored.households_with_targeted_measure, 0) as households_with_targeted_measure,
        coalesce(monitored.yidou_households, 0) as yidou_households,
        {%- for measure_type, code in measure_types %}
        coalesce(measure_type_coverage.households_{{ code }}, 0) as households_{{ code }},
        {%- endfor %}
        coalesce(episode_flows.risks_found_to_date, 0) as risks_found_to_date,
        coalesce(episode_flows.identified_to_date, 0) as identified_to_date,
        coalesce(episode_flows.eliminated_to_date, 0) as eliminated_to_date,
        coalesce(episode_flows.risks_found, 0) as risks_found,
        coalesce(timeliness.newly_identified, 0) as newly_identified,
        coalesce(timeliness.identified_within_limit, 0) as identified_within_limit,
        coalesce(episode_flows.newly_eliminated, 0) as newly_eliminated,
        coalesce(overlapping.overlapping_episodes, 0) as overlapping_episodes,
        coalesce(non_conforming.non_conforming_eliminations, 0) as non_conforming_eliminations,
        coalesce(alert_counts.alerts_raised, 0) as alerts_raised,
        coalesce(alert_counts.alerts_followed_up, 0) as alerts_followed_up,
        coalesce(alert_counts.overdue_alerts, 0) as overdue_alerts,
        income.target_households,
        income.target_people,
        income.target_net_income,
        income.target_wage_income,
        income.target_operating_net_income,
        income.target_property_income,
        income.target_transfer_income,
        income.income_decrease_households,
        income.low_income_focus_households,
        income.below_line_households,
        -- unknown (NULL) while Y has no survey in the county
        case when income.county_code is not null then coalesce(omission_counts.omissions, 0) end as omissions,
        -- NULL while T2 (T3) cannot be judged, so that a sum over counties stays unknown
        case when county_targets.meets_target then 0 when not county_targets.meets_target then 1 end
            as counties_under_supervision,
        case when county_targets.meets_rural_growth then 0 when not county_targets.meets_rural_growth then 1 end
            as counties_below_rural_growth
    from county_periods
    left join monitored
        on county_periods.county_code = monitored.county_code
        and county_periods.period_end = monitored.period_end
    left join measure_type_coverage
        on county_periods.county_code = measure_type_coverage.county_code
        and county_periods.period_end = measure_type_coverage.period_end
    left join episode_flows
        on county_periods.county_code = episode_flows.county_code
        and county_periods.period_end = episode_flows.period_end
    left join timeliness
        on county_periods.county_code = timeliness.county_code
        and county_periods.period_end = timeliness.period_end
    left join overlapping
        on county_periods.county_code = overlapping.county_code
        and county_periods.period_end = overlapping.period_end
    left join omission_counts
        on county_periods.county_code = omission_counts.county_code
        and county_periods.period_end = omission_counts.period_end
    left join non_conforming
        on county_periods.county_code = non_conforming.county_code
        and county_periods.period_end = non_conforming.period_end
    left join alert_counts
        on county_periods.county_code = alert_counts.county_code
        and county_periods.period_end = alert_counts.period_end
    left join income
        on county_periods.county_code = income.county_code
        and county_periods.period_end = income.period_end
    left join county_targets
        on county_periods.county_code = county_targets.county_code
        and county_periods.survey_year = county_targets.year
),

region_figures as (
{%- for level in ['county', 'city', 'province'] %}
    select
        '{{ level }}' as region_level,
        {{ level }}_code as region_code,
        period_end,
        {%- for column in additive %}
        {%- if column in money %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- else %}
        cast(sum({{ column }}) as integer) as {{ column }}{{ ',' if not loop.last }}
        {%- endif %}
        {%- endfor %}
    from county_figures
    group by
        {{ level }}_code,
        period_end
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
),

region_names as (
    select distinct 'county' as region_level, county_code as region_code, county_name as region_name from counties
    union all
    select distinct 'city', city_code, city_name from counties
    union all
    select distinct 'province', province_code, province_name from counties
),

growth as (
    select
        region_level,
        region_code,
        year,
        per_capita_balanced,
        per_capita_balanced_prev,
        growth_balanced,
        growth_unbalanced
    from {{ ref('int_region_income_growth_computed') }}
),

-- T1: a city's (province's) growth against its own growth of Y−1, as mart_county_income_targets judges it
growth_trend as (
    select distinct
        'city' as region_level,
        city_code as region_code,
        year,
        city_growth_prev_year as growth_prev_year,
        city_meets_trend as meets_trend
    from {{ ref('mart_county_income_targets') }}
    union all
    select distinct
        'province',
        province_code,
        year,
        province_growth_prev_year,
        province_meets_trend
    from {{ ref('mart_county_income_targets') }}
),

-- T1 failures: the city itself; for a province, the province and each of its cities (NULL when
-- none can be judged yet)
trend_failures as (
    select
        region_level,
        region_code,
        year,
        case when meets_trend then 0 when not meets_trend then 1 end as below_trend
    from growth_trend
),

regions_below_trend as (
    select
        region_level,
        region_code,
        year,
        below_trend as regions_below_growth_trend
    from trend_failures
    where region_level = 'city'
    union all
    select
        'province',
        left(region_code, 2),
        year,
        cast(sum(below_trend) as integer)
    from trend_failures
    group by
        left(region_code, 2),
        year
),

assembled as (
    select
        region_figures.region_level,
        region_figures.region_code,
        region_names.region_name,
        case when region_figures.region_level = 'county' then region_figures.region_code end as county_code,
        case when region_figures.region_level in ('county', 'city') then left(region_figures.region_code, 4) end as city_code,
        left(region_figures.region_code, 2) as province_code,
        counties.key_county_level,
        counties.is_key_county,
        region_figures.period_end,
        period_ends.period_start,
        period_ends.period_label,
        period_ends.survey_year,
        region_figures.target_households,
        region_figures.target_people,
        region_figures.monitored_households,
        {%- for category, code in categories %}
        region_figures.monitored_{{ code }},
        {%- endfor %}
        region_figures.risks_found_to_date,
        region_figures.identified_to_date,
        region_figures.eliminated_to_date,
        cast(region_figures.eliminated_to_date as {{ type_fraction() }})
            / nullif(region_figures.identified_to_date, 0) as elimination_rate,
        region_figures.risks_found,
        region_figures.newly_identified,
        region_figures.newly_eliminated,
        region_figures.identified_within_limit,
        region_figures.newly_identified - region_figures.identified_within_limit as identified_late,
        cast(region_figures.identified_within_limit as {{ type_fraction() }})
            / nullif(region_figures.newly_identified, 0) as identification_within_limit_rate,
        region_figures.households_with_measure,
        region_figures.monitored_households - region_figures.households_with_measure as households_without_measure,
        cast(region_figures.households_with_measure as {{ type_fraction() }})
            / nullif(region_figures.monitored_households, 0) as measure_coverage,
        region_figures.households_with_targeted_measure,
        region_figures.monitored_households - region_figures.households_with_targeted_measure as households_without_targeted_measure,
        cast(region_figures.households_with_targeted_measure as {{ type_fraction() }})
            / nullif(region_figures.monitored_households, 0) as targeted_measure_coverage,
        {%- for measure_type, code in measure_types %}
        cast(region_figures.households_{{ code }} as {{ type_fraction() }})
            / nullif(region_figures.monitored_households, 0) as coverage_{{ code }},
        {%- endfor %}
        region_figures.yidou_households,
        cast(region_figures.target_net_income / nullif(region_figures.target_people, 0) as decimal(18, 6)) as per_capita_net_income,
        growth.per_capita_balanced,
        growth.per_capita_balanced_prev,
        growth.growth_balanced,
        growth.growth_unbalanced,
        case
            when region_figures.region_level = 'county' then county_targets.city_growth_prev_year
            else growth_trend.growth_prev_year
        end as growth_target,
        case
            when region_figures.region_level = 'county' then county_targets.meets_target
            else growth_trend.meets_trend
        end as meets_growth_target,
        county_targets.under_supervision,
        region_figures.counties_under_supervision,
        regions_below_trend.regions_below_growth_trend,
        county_targets.rural_growth,
        county_targets.meets_rural_growth,
        region_figures.counties_below_rural_growth,
        cast(region_figures.target_wage_income as {{ type_fraction() }})
            / nullif(cast(region_figures.target_net_income as {{ type_fraction() }}), 0) as wage_share,
        cast(region_figures.target_operating_net_income as {{ type_fraction() }})
            / nullif(cast(region_figures.target_net_income as {{ type_fraction() }}), 0) as operating_net_share,
        cast(region_figures.target_property_income as {{ type_fraction() }})
            / nullif(cast(region_figures.target_net_income as {{ type_fraction() }}), 0) as property_share,
        cast(region_figures.target_transfer_income as {{ type_fraction() }})
            / nullif(cast(region_figures.target_net_income as {{ type_fraction() }}), 0) as transfer_share,
        region_figures.income_decrease_households,
        region_figures.low_income_focus_households,
        region_figures.below_line_households,
        region_figures.omissions,
        region_figures.overlapping_episodes,
        region_figures.non_conforming_eliminations,
        region_figures.alerts_raised,
        region_figures.alerts_followed_up,
        region_figures.overdue_alerts,
        cast(region_figures.alerts_followed_up as {{ type_fraction() }})
            / nullif(region_figures.alerts_followed_up + region_figures.overdue_alerts, 0) as alert_followup_rate,
        region_figures.key_counties
    from region_figures
    inner join period_ends
        on region_figures.period_end = period_ends.period_end
    left join region_names
        on region_figures.region_level = region_names.region_level
        and region_figures.region_code = region_names.region_code
    left join counties
        on region_figures.region_level = 'county'
        and region_figures.region_code = counties.county_code
    left join growth
        on region_figures.region_level = growth.region_level
        and region_figures.region_code = growth.region_code
        and period_ends.survey_year = growth.year
    left join county_targets
        on region_figures.region_level = 'county'
        and region_figures.region_code = county_targets.county_code
        and period_ends.survey_year = county_targets.year
    left join growth_trend
        on region_figures.region_level = growth_trend.region_level
        and region_figures.region_code = growth_trend.region_code
        and period_ends.survey_year = growth_trend.year
    left join regions_below_trend
        on region_figures.region_level = regions_below_trend.region_level
        and region_figures.region_code = regions_below_trend.region_code
        and period_ends.survey_year = regions_below_trend.year
),

with_changes as (
    select
        assembled.*,
        case
            when assembled.region_level = 'county' and assembled.growth_balanced is not null
            then rank() over (
                partition by assembled.region_level, assembled.province_code, assembled.period_end
                order by assembled.growth_balanced desc nulls last
            )
        end as growth_rank
        {%- for column in changed %},
        {{ column }} - lag({{ column }}) over region_history as {{ column }}_change
        {%- endfor %}
    from assembled
    window region_history as (partition by region_level, region_code order by period_end)
)

select
    region_level,
    region_code,
    region_name,
    county_code,
    city_code,
    province_code,
    key_county_level,
    is_key_county,
    period_end,
    period_start,
    period_label,
    survey_year,
    target_households,
    target_people,
    monitored_households,
    {%- for category, code in categories %}
    monitored_{{ code }},
    {%- endfor %}
    risks_found_to_date,
    identified_to_date,
    eliminated_to_date,
    elimination_rate,
    risks_found,
    newly_identified,
    newly_eliminated,
    identified_within_limit,
    identified_late,
    identification_within_limit_rate,
    households_with_measure,
    households_without_measure,
    measure_coverage,
    households_with_targeted_measure,
    households_without_targeted_measure,
    targeted_measure_coverage,
    {%- for measure_type, code in measure_types %}
    coverage_{{ code }},
    {%- endfor %}
    yidou_households,
    per_capita_net_income,
    per_capita_balanced,
    per_capita_balanced_prev,
    growth_balanced,
    growth_unbalanced,
    growth_target,
    growth_balanced - growth_target as growth_vs_target,
    meets_growth_target,
    growth_rank,
    under_supervision,
    counties_under_supervision,
    regions_below_growth_trend,
    rural_growth,
    meets_rural_growth,
    counties_below_rural_growth,
    wage_share,
    operating_net_share,
    property_share,
    transfer_share,
    income_decrease_households,
    low_income_focus_households,
    below_line_households,
    omissions,
    overlapping_episodes,
    non_conforming_eliminations,
    alerts_raised,
    alerts_followed_up,
    overdue_alerts,
    alert_followup_rate,
    key_counties
    {%- for column in changed %},
    {{ column }}_change
    {%- endfor %}
from with_changes
