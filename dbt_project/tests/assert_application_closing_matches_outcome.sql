-- A settled application (办结日期 given) has a final outcome and one in progress (办理中) has no
-- closing date (seed application_outcomes). Warn so that the county can correct the platform
-- export; closure figures count closed_date.
{{ config(severity='warn') }}

select
    applications.application_id,
    applications.closed_date,
    applications.outcome
from {{ ref('fct_application') }} as applications
inner join {{ ref('application_outcomes') }} as outcomes
    on applications.outcome = outcomes.outcome
where applications.is_closed <> outcomes.is_final
