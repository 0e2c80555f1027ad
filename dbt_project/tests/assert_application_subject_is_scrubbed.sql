-- SPEC §7.2: the free-text subject of a self-report application (申请事项) keeps no ID-shaped or
-- mobile-phone-shaped number.
select
    application_id,
    subject
from {{ ref('fct_application') }}
where regexp_matches(subject, '[0-9]{17}[0-9Xx]|1[3-9][0-9]{9}')
