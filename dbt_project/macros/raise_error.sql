{#
  Make a data test error out with `message_column` as its text, so that dbt's output names
  the offending rows (DuckDB's error()). Use it in a WHERE clause; the CASE guard keeps
  error() from firing on rows where `condition` is false, whatever order the optimiser picks.
  Other adapters return the rows instead, and the test fails the usual way.
#}
{% macro raise_error_if(condition, message_column) -%}
    {{ return(adapter.dispatch('raise_error_if', 'fangpin')(condition, message_column)) }}
{%- endmacro %}

{% macro duckdb__raise_error_if(condition, message_column) -%}
    (case when {{ condition }} then error({{ message_column }}) end) is null and {{ condition }}
{%- endmacro %}

{% macro default__raise_error_if(condition, message_column) -%}
    {{ condition }}
{%- endmacro %}
