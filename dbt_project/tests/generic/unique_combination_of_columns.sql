{#
  The combination of `combination_of_columns` is unique over the model (composite primary
  keys). NULLs compare as values here; pair it with not_null on each column.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns_csv = combination_of_columns | join(', ') %}
    select
        {{ columns_csv }},
        count(*) as rows_with_this_key
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1
{% endtest %}
