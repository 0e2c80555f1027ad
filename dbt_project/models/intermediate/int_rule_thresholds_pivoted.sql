-- The rule thresholds (seed rule_thresholds) as one row with one column per threshold, so
-- that models cross join it instead of writing numbers into SQL.
{%- set thresholds = [
    ('identification_days_max', 'integer'),
    ('elimination_min_days', 'integer'),
    ('low_income_per_capita_yuan', 'decimal(18, 2)'),
    ('labor_age_min', 'integer'),
    ('labor_age_max', 'integer'),
    ('alert_followup_days', 'integer'),
    ('medical_self_pay_yuan', 'decimal(18, 2)'),
    ('medical_self_pay_income_share', 'decimal(18, 6)'),
    ('medical_window_days', 'integer'),
    ('emergency_loss_income_share', 'decimal(18, 6)'),
    ('emergency_loss_yuan', 'decimal(18, 2)'),
    ('school_age_min', 'integer'),
    ('school_age_max', 'integer'),
] %}

with thresholds as (
    select
        threshold,
        value
    from {{ ref('rule_thresholds') }}
)

select
{%- for name, data_type in thresholds %}
    cast(max(case when threshold = '{{ name }}' then value end) as {{ data_type }}) as {{ name }}{{ "," if not loop.last }}
{%- endfor %}
from thresholds
