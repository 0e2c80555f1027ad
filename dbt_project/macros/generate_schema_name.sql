{#
  Schemas are exactly the configured names (staging, intermediate, marts, reference), not
  dbt's default <target_schema>_<custom_schema>: analysts, the report and the Soda contracts
  address `marts.<table>` directly.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
