-- SPEC §7.2: no table of the warehouse holds an ID number, a name or a phone. Fails on any
-- column named like a raw identifier in the staging, intermediate or marts schemas.
-- depends_on: {{ ref('stg_restricted__households') }}
-- depends_on: {{ ref('stg_restricted__members') }}
-- depends_on: {{ ref('stg_restricted__measures') }}
-- depends_on: {{ ref('dim_member') }}
-- depends_on: {{ ref('dim_household') }}
-- depends_on: {{ ref('fct_assistance_measure') }}
-- depends_on: {{ ref('stg_restricted__sector_medical') }}
-- depends_on: {{ ref('stg_restricted__sector_civil_affairs') }}
-- depends_on: {{ ref('stg_restricted__sector_employment') }}
-- depends_on: {{ ref('stg_restricted__sector_education') }}
-- depends_on: {{ ref('stg_restricted__sector_housing') }}
-- depends_on: {{ ref('stg_restricted__sector_emergency') }}
-- depends_on: {{ ref('stg_restricted__sector_disability') }}
-- depends_on: {{ ref('stg_restricted__applications') }}
-- depends_on: {{ ref('fct_sector_alert') }}
-- depends_on: {{ ref('fct_application') }}
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
