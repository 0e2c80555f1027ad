with answered_by as (
    select
        risk_type,
        {{ dbt.listagg('answers.measure_type', "'、'", 'order by measure_types.sort_order') }} as answered_by_measure_types
    from {{ ref('measure_type_answers') }} as answers
    inner join {{ ref('measure_types') }} as measure_types
        on answers.measure_type = measure_types.measure_type
    group by risk_type
)

select
    risk_types.risk_type,
    risk_types.risk_type_code,
    risk_types.name_en,
    risk_types.sort_order,
    answered_by.answered_by_measure_types
from {{ ref('risk_types') }} as risk_types
left join answered_by
    on risk_types.risk_type = answered_by.risk_type
