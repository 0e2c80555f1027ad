{#
  Pseudonymisation (SPEC §7.2). A person is keyed by sha256(salt || ID number). The salt comes
  from the environment variable FANGPIN_SALT and is never committed, and it never passes through
  Jinja: an env_var() call would be recorded in dbt's partial-parse file and the value would
  land in compiled SQL. The dbt-duckdb plugin orchestration/dbt_plugin.py sets it on every
  connection as the DuckDB session variable `fangpin_salt` (and refuses an empty one); a
  connection without it fails the query instead of producing unsalted keys. Another adapter
  needs its own way of passing a session secret before it can build the staging layer.
#}
{% macro pseudonymise(id_number_column) -%}
    sha256(
        coalesce(getvariable('fangpin_salt'), error('FANGPIN_SALT is not set on this connection'))
        || upper(trim({{ id_number_column }}))
    )
{%- endmacro %}


{# 张三 → 张*; the family name alone is kept where a name is shown at all. #}
{% macro mask_name(name_column) -%}
    case
        when {{ name_column }} is null or trim({{ name_column }}) = '' then null
        else substr(trim({{ name_column }}), 1, 1) || '*'
    end
{%- endmacro %}


{# GB 11643: characters 7–14 are the birth date YYYYMMDD. #}
{% macro birth_date_from_id_number(id_number_column) -%}
    cast(
        substr({{ id_number_column }}, 7, 4) || '-'
        || substr({{ id_number_column }}, 11, 2) || '-'
        || substr({{ id_number_column }}, 13, 2)
        as date
    )
{%- endmacro %}


{# GB 11643: the 17th character is the sequence's last digit, odd = male (男), even = female (女). #}
{% macro gender_from_id_number(id_number_column) -%}
    case
        when cast(substr({{ id_number_column }}, 17, 1) as integer) % 2 = 1 then '男'
        else '女'
    end
{%- endmacro %}


{#
  Free text typed by county offices (measure details) may quote a person. Replaces the names
  given in `names_list` (a list column) by their masked form and removes anything shaped like
  an ID number or a mobile phone number.
#}
{% macro scrub_free_text(text_column, names_list) -%}
    {{ return(adapter.dispatch('scrub_free_text', 'fangpin')(text_column, names_list)) }}
{%- endmacro %}

{% macro duckdb__scrub_free_text(text_column, names_list) -%}
    regexp_replace(
        list_reduce(
            coalesce({{ names_list }}, []),
            lambda acc, person_name: replace(acc, person_name, substr(person_name, 1, 1) || '*'),
            {{ text_column }}
        ),
        '[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9}',
        '*',
        'g'
    )
{%- endmacro %}

{% macro default__scrub_free_text(text_column, names_list) -%}
    regexp_replace({{ text_column }}, '[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9}', '*', 'g')
{%- endmacro %}
