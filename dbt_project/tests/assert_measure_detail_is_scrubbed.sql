-- SPEC §7.2: free-text measure details keep no ID-shaped or mobile-phone-shaped number.
select
    measure_id,
    detail
from {{ ref('fct_assistance_measure') }}
where regexp_matches(detail, '[0-9]{17}[0-9Xx]|1[3-9][0-9]{9}')
