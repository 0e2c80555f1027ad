select
    category,
    category_code,
    name_en,
    sort_order
from {{ ref('monitoring_categories') }}
