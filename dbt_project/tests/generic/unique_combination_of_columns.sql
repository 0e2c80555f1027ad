{#
  The combination of `combination_of_columns` is unique over the model (composite primary
  keys). NULLs compare as values here; pair it with not_null on each column.

  Rows are first grouped by a 64-bit hash of the key, which is much cheaper than grouping by
  the key itself (a person key is 64 characters, a members table 24 million rows a province);
  only the rows whose hash repeats are then grouped by the key. Equal keys have equal hashes,
  so every repeated key is found, with the same rows and counts as a plain GROUP BY.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- set columns_csv = combination_of_columns | join(', ') %}
    with repeated_hashes as (
        select hash({{ columns_csv }}) as key_hash
        from {{ model }}
        group by key_hash
        having count(*) > 1
    )

    select
        {{ columns_csv }},
        count(*) as rows_with_this_key
    from {{ model }}
    where hash({{ columns_csv }}) in (select key_hash from repeated_hashes)
    group by {{ columns_csv }}
    having count(*) > 1
{% endtest %}
