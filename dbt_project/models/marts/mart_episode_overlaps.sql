-- Order and overlap of monitoring episodes (监测对象台账), SPEC §6 M3: within an episode
-- risk_found_date ≤ identified_date ≤ eliminated_date, and the episodes of one household do not
-- overlap. An episode spans [risk_found_date, eliminated_date), open-ended while at risk; a new
-- risk found on the day of the previous elimination does not overlap it. One row per episode;
-- violates_m3 marks the ones the check lists. Window functions over each household's episodes
-- ordered by risk_found_date, no self-join.
with episodes as (
    select
        episode_id,
        household_id,
        county_code,
        episode_seq,
        risk_found_date,
        identified_date,
        eliminated_date,
        coalesce(eliminated_date, cast('9999-12-31' as date)) as span_end
    from {{ ref('int_monitoring_episodes_deduplicated') }}
),

neighbours as (
    select
        episodes.*,
        lag(episode_id) over household_episodes as previous_episode_id,
        lead(episode_id) over household_episodes as next_episode_id,
        lead(risk_found_date) over household_episodes as next_risk_found_date,
        -- the latest end of any earlier episode, not only the previous one
        max(span_end) over (
            partition by household_id
            order by risk_found_date, episode_id
            rows between unbounded preceding and 1 preceding
        ) as earlier_span_end
    from episodes
    window household_episodes as (partition by household_id order by risk_found_date, episode_id)
),

flagged as (
    select
        neighbours.*,
        risk_found_date <= identified_date
            and (eliminated_date is null or identified_date <= eliminated_date) as dates_ordered,
        coalesce(earlier_span_end > risk_found_date, false) as overlaps_earlier_episode,
        coalesce(next_risk_found_date < span_end, false) as overlaps_later_episode
    from neighbours
)

select
    household_id,
    episode_id,
    county_code,
    episode_seq,
    risk_found_date,
    identified_date,
    eliminated_date,
    previous_episode_id,
    next_episode_id,
    dates_ordered,
    overlaps_earlier_episode,
    overlaps_later_episode,
    not dates_ordered or overlaps_earlier_episode or overlaps_later_episode as violates_m3
from flagged
