{# A stable text surrogate key: md5 of the '|'-joined parts (NULL parts as empty strings). #}
{% macro surrogate_key(columns) -%}
    {{ dbt.hash(dbt.concat(surrogate_key_parts(columns))) }}
{%- endmacro %}

{% macro surrogate_key_parts(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}


{#
  SPEC §2: a region is named by its significant prefix (province 2, city 4, county 6,
  township 9, village 12 digits). A 12-digit code is cut to its level's prefix; a code that is
  already a prefix is kept.
#}
{% macro significant_region_code(code_column) -%}
    case
        when length({{ code_column }}) <> 12 then {{ code_column }}
        when substr({{ code_column }}, 3, 10) = '0000000000' then substr({{ code_column }}, 1, 2)
        when substr({{ code_column }}, 5, 8) = '00000000' then substr({{ code_column }}, 1, 4)
        when substr({{ code_column }}, 7, 6) = '000000' then substr({{ code_column }}, 1, 6)
        when substr({{ code_column }}, 10, 3) = '000' then substr({{ code_column }}, 1, 9)
        else {{ code_column }}
    end
{%- endmacro %}


{# DOUBLE in DuckDB, double precision in PostgreSQL: plain fractions (growth, rates). #}
{% macro type_fraction() -%}
    double precision
{%- endmacro %}


