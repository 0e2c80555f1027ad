select
    income_source,
    name_zh,
    name_en,
    sort_order
from {{ ref('income_sources') }}
