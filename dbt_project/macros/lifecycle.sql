{#
  A raw table of the restricted store, or an empty relation with its columns when the table
  does not exist there (yet). Ingestion creates every sector and application table, empty when
  no file was delivered; this keeps `dbt build` working against a restricted store written by an
  older ingestion. `columns` is a list of (name, type) pairs: the table's contract.
#}
{% macro restricted_source_or_empty(table_name, columns) -%}
    {%- set relation = source('restricted', table_name) -%}
    {%- set existing = relation -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
    {%- endif -%}
    {%- if existing is none -%}
        {{ log("raw." ~ table_name ~ " is not in the restricted store: staged as an empty table", info=True) }}
        (
            select
            {%- for name, data_type in columns %}
                cast(null as {{ data_type }}) as {{ name }}{{ "," if not loop.last }}
            {%- endfor %}
            where 1 = 0
        )
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}


{# Age in completed years on `on_date` of a person born on `birth_date` (the birthday counts). #}
{% macro age_in_years(birth_date, on_date) -%}
    (
        cast(extract(year from {{ on_date }}) as integer) - cast(extract(year from {{ birth_date }}) as integer)
        - case
            when extract(month from {{ on_date }}) < extract(month from {{ birth_date }})
                or (
                    extract(month from {{ on_date }}) = extract(month from {{ birth_date }})
                    and extract(day from {{ on_date }}) < extract(day from {{ birth_date }})
                )
            then 1
            else 0
        end
    )
{%- endmacro %}


{# 'YYYY-MM' of a date, for month keys such as alert_id. #}
{% macro year_month_label(date_column) -%}
    cast(extract(year from {{ date_column }}) as {{ dbt.type_string() }})
    || '-' || lpad(cast(extract(month from {{ date_column }}) as {{ dbt.type_string() }}), 2, '0')
{%- endmacro %}


{# The last day of the calendar quarter of a date (季度末). #}
{% macro quarter_end_of(date_column) -%}
    cast(
        {{ dbt.dateadd(
            'day', '-1',
            dbt.dateadd('month', '3', "cast(cast(extract(year from " ~ date_column ~ ") as varchar) || '-' || lpad(cast((cast(extract(quarter from " ~ date_column ~ ") as integer) * 3 - 2) as varchar), 2, '0') || '-01' as date)")
        ) }}
        as date
    )
{%- endmacro %}
