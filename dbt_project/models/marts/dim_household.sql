-- Type-2 history of each household: one row per interval in which its survey flags
-- (village, 是否脱贫户, 是否易地扶贫搬迁户, masked head name) and its monitoring status,
-- category and episode stay the same.
--   survey flags apply from 1 January of the survey year (a survey describes its year) until
--   the next survey;
--   monitoring applies from identified_date to the day before eliminated_date (SPEC §5
--   "monitored at D"); category is the monitored episode's, NULL when not monitored.
-- valid_to is the next row's valid_from (exclusive) and NULL on the current row.
with surveys as (
    select
        household_id,
        year,
        village_code,
        head_name_masked,
        is_alleviated,
        is_relocated,
        cast(cast(year as varchar) || '-01-01' as date) as effective_from
    from {{ ref('stg_restricted__households') }}
),

episodes as (
    select
        episode_id,
        household_id,
        category,
        identified_date,
        eliminated_date
    from {{ ref('int_monitoring_episodes_deduplicated') }}
),

monitored_households as (
    select distinct household_id from episodes
),

measure_only_households as (
    -- known only from the measure ledger: one row from the first measure's start
    select
        household_id,
        min(start_date) as first_start_date
    from {{ ref('int_measures_deduplicated') }}
    where household_id not in (select household_id from monitored_households)
        and household_id not in (select household_id from surveys)
    group by household_id
),

-- Never-monitored households (the great majority) change only with their surveys: their
-- history comes from the surveys alone, without the as-of joins used for the others.
survey_only_states as (
    select
        household_id,
        effective_from as change_date,
        village_code,
        head_name_masked,
        is_alleviated,
        is_relocated,
        false as is_monitored,
        cast(null as varchar) as category,
        cast(null as varchar) as episode_id
    from surveys
    where household_id not in (select household_id from monitored_households)
    union all
    select
        household_id,
        first_start_date as change_date,
        cast(null as varchar) as village_code,
        cast(null as varchar) as head_name_masked,
        cast(null as boolean) as is_alleviated,
        cast(null as boolean) as is_relocated,
        false as is_monitored,
        cast(null as varchar) as category,
        cast(null as varchar) as episode_id
    from measure_only_households
),

-- Monitored households: the state on every survey, identification and elimination date.
change_dates as (
    select household_id, effective_from as change_date
    from surveys
    where household_id in (select household_id from monitored_households)
    union
    select household_id, identified_date from episodes
    union
    select household_id, eliminated_date from episodes where eliminated_date is not null
),

survey_at_change as (
    select
        change_dates.household_id,
        change_dates.change_date,
        surveys.village_code,
        surveys.head_name_masked,
        surveys.is_alleviated,
        surveys.is_relocated,
        row_number() over (
            partition by change_dates.household_id, change_dates.change_date
            order by surveys.year desc
        ) as survey_rank
    from change_dates
    left join surveys
        on change_dates.household_id = surveys.household_id
        and surveys.effective_from <= change_dates.change_date
),

episode_at_change as (
    select
        change_dates.household_id,
        change_dates.change_date,
        episodes.episode_id,
        episodes.category,
        row_number() over (
            partition by change_dates.household_id, change_dates.change_date
            order by episodes.identified_date desc, episodes.episode_id desc
        ) as episode_rank
    from change_dates
    inner join episodes
        on change_dates.household_id = episodes.household_id
        and episodes.identified_date <= change_dates.change_date
        and coalesce(episodes.eliminated_date, cast('9999-12-31' as date)) > change_dates.change_date
),

monitored_states as (
    select
        survey_at_change.household_id,
        survey_at_change.change_date,
        survey_at_change.village_code,
        survey_at_change.head_name_masked,
        survey_at_change.is_alleviated,
        survey_at_change.is_relocated,
        episode_at_change.episode_id is not null as is_monitored,
        episode_at_change.category,
        episode_at_change.episode_id
    from survey_at_change
    left join episode_at_change
        on survey_at_change.household_id = episode_at_change.household_id
        and survey_at_change.change_date = episode_at_change.change_date
        and episode_at_change.episode_rank = 1
    where survey_at_change.survey_rank = 1
),

states as (
    select * from survey_only_states
    union all
    select * from monitored_states
),

with_previous as (
    select
        states.*,
        lag(village_code) over household_history as prev_village_code,
        lag(head_name_masked) over household_history as prev_head_name_masked,
        lag(is_alleviated) over household_history as prev_is_alleviated,
        lag(is_relocated) over household_history as prev_is_relocated,
        lag(is_monitored) over household_history as prev_is_monitored,
        lag(category) over household_history as prev_category,
        lag(episode_id) over household_history as prev_episode_id,
        row_number() over household_history as change_seq
    from states
    window household_history as (partition by household_id order by change_date)
),

versions as (
    -- keep a date only when something tracked differs from the state before it
    select *
    from with_previous
    where change_seq = 1
        or village_code is distinct from prev_village_code
        or head_name_masked is distinct from prev_head_name_masked
        or is_alleviated is distinct from prev_is_alleviated
        or is_relocated is distinct from prev_is_relocated
        or is_monitored is distinct from prev_is_monitored
        or category is distinct from prev_category
        or episode_id is distinct from prev_episode_id
),

intervals as (
    select
        household_id,
        change_date as valid_from,
        lead(change_date) over (partition by household_id order by change_date) as valid_to,
        village_code,
        head_name_masked,
        is_alleviated,
        is_relocated,
        is_monitored,
        category,
        episode_id
    from versions
)

select
    {{ surrogate_key(['household_id', 'valid_from']) }} as household_sk,
    household_id,
    valid_from,
    valid_to,
    valid_to is null as is_current,
    village_code,
    left(village_code, 6) as county_code,
    head_name_masked,
    is_alleviated,
    is_relocated,
    is_monitored,
    category,
    episode_id
from intervals
