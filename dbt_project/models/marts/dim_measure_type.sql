with answers as (
    select
        answers.measure_type,
        {{ dbt.listagg('answers.risk_type', "'、'", 'order by risk_types.sort_order') }} as answers_risk_types,
        count(*) as risk_types_answered
    from {{ ref('measure_type_answers') }} as answers
    inner join {{ ref('risk_types') }} as risk_types
        on answers.risk_type = risk_types.risk_type
    group by answers.measure_type
)

select
    measure_types.measure_type,
    measure_types.measure_type_code,
    measure_types.name_en,
    measure_types.is_developmental,
    measure_types.sort_order,
    answers.answers_risk_types,
    coalesce(answers.risk_types_answered, 0) as risk_types_answered
from {{ ref('measure_types') }} as measure_types
left join answers
    on measure_types.measure_type = answers.measure_type
