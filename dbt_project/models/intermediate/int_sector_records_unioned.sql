-- Every sector record (行业部门数据) of the seven departments with its rule's outcome, one row
-- per record: what the department models evaluated, in one shape, with the risk type of the
-- department (seed sector_departments).
--
-- A view: fct_sector_alert is its one reader and takes the records that raise an alert, which
-- it reads as fast from the seven tables as from a copy of them; the copy took 4 s at province
-- scale (docs/performance.md). Its relations are named without the database, like dim_member's.
{{ config(materialized='view') }}
{%- set departments = [
    'medical', 'civil_affairs', 'employment', 'education', 'housing', 'emergency', 'disability'
] %}

with records as (
{%- for department in departments %}
    select
        department,
        household_id,
        person_key,
        record_date,
        trigger_value,
        threshold_value,
        trigger_detail,
        raises_alert,
        source_file,
        source_sheet,
        source_row_number
    from {{ ref('int_sector_' ~ department ~ '_records_evaluated').include(database=false) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
),

departments as (
    select
        department,
        risk_type
    from {{ ref('sector_departments').include(database=false) }}
)

select
    records.department,
    departments.risk_type,
    records.household_id,
    records.person_key,
    records.record_date,
    records.trigger_value,
    records.threshold_value,
    records.trigger_detail,
    records.raises_alert,
    records.source_file,
    records.source_sheet,
    records.source_row_number
from records
left join departments
    on records.department = departments.department
