-- SPEC §7.2: no table of the warehouse holds an ID number, a name or a phone. Fails on any
-- column named like a raw identifier in the staging, intermediate or marts schemas.
-- depends_on: {{ ref('stg_restricted__households') }}
-- depends_on: {{ ref('stg_restricted__members') }}
-- depends_on: {{ ref('stg_restricted__measures') }}
-- depends_on: {{ ref('dim_member') }}
-- depends_on: {{ ref('dim_household') }}
-- depends_on: {{ ref('fct_assistance_measure') }}
select
    table_schema,
    table_name,
    column_name
from information_schema.columns
where table_catalog = '{{ target.database }}'
    and table_schema in ('staging', 'intermediate', 'marts')
    and lower(column_name) in (
        'id_number', 'head_id_number', 'name', 'head_name', 'phone', 'id_card', 'sfzh'
    )
