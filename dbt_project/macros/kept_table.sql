{#
  Kept tables and kept test outcomes (docs/dbt-models.md, "Kept tables").

  kept_table is dbt-duckdb's table materialization, except that a table whose inputs are those
  of its last build is kept as it is instead of being built again. Its build key is the SHA-256
  of
    - `fangpin_build_state`, set on every connection by orchestration/dbt_plugin.py: the files
      of the dbt project (models, macros, seeds, dbt_project.yml), the versions of dbt,
      dbt-duckdb and DuckDB, and the pseudonymisation salt;
    - the model's unique id;
    - the content digest (row count and sum of the rows' hashes) of every raw table the model
      reads, directly or through other models, as ingestion stored it in
      restricted.audit.raw_digests when it loaded the table.
  The data tests' `test` materialization does the same for a test's outcome: its key is the
  build state, the test's unique id and compiled SQL, the build keys of the kept tables it
  reads (through views too) and the digests of the raw tables it reads directly; a test whose
  key is that of its last run reports the failures it found then.

  Records: main.model_builds (the key of each table as built), main.test_results (each test's
  key and failures), main.source_digests (the raw tables' digests, copied at the start of every
  dbt invocation by `kept_start`, an on-run-start hook). Without digests in the restricted store,
  without the build state on the connection, or with `--full-refresh`, nothing is kept.
#}

{% macro kept_start() -%}
  {%- if execute -%}
    {%- set digests = adapter.get_relation(database='restricted', schema='audit', identifier='raw_digests') -%}
    {% call statement('kept_start') -%}
      create table if not exists main.model_builds (
          model varchar primary key, build_key varchar, built_at timestamp
      );
      create table if not exists main.test_results (
          test varchar primary key, test_key varchar, failures bigint, tested_at timestamp
      );
      create or replace table main.source_digests as
      {% if digests is not none and not flags.FULL_REFRESH -%}
          select raw_table, digest from {{ digests }}
      {%- else -%}
          select null::varchar as raw_table, null::varchar as digest where false
      {%- endif %}
    {%- endcall %}
    {#- committed here: dbt does not commit what an on-run-start hook's SQL does -#}
    {% do adapter.commit() %}
  {%- endif -%}
{%- endmacro %}


{# The raw tables a node reads and, through views and ephemeral models, the kept tables. #}
{% macro kept_inputs(unique_id, models, sources, seen, through_tables) -%}
  {%- for dependency in graph.nodes[unique_id].depends_on.nodes -%}
    {%- if dependency not in seen -%}
      {%- do seen.append(dependency) -%}
      {%- if dependency in graph.sources -%}
        {%- do sources.append(graph.sources[dependency].identifier) -%}
      {%- elif dependency in graph.nodes -%}
        {%- if graph.nodes[dependency].config.materialized == 'kept_table' and not through_tables -%}
          {%- do models.append(dependency) -%}
        {%- else -%}
          {%- do kept_inputs(dependency, models, sources, seen, through_tables) -%}
        {%- endif -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}


{% macro kept_in_list(values) -%}
  ({% for v in values | unique | sort %}'{{ v }}', {% endfor %}null)
{%- endmacro %}


{# SQL: the key of `inputs` as one value, NULL unless every input has its record #}
{% macro kept_key_sql(name, models, sources, detail) -%}
    with builds as (
        select count(*) as n, string_agg(model || '=' || build_key, ';' order by model) as keys
        from main.model_builds where model in {{ kept_in_list(models) }}
    ),
    raw as (
        select count(*) as n, string_agg(raw_table || '=' || digest, ';' order by raw_table) as keys
        from main.source_digests where raw_table in {{ kept_in_list(sources) }}
    )
    select case
        when builds.n = {{ models | unique | list | length }}
            and raw.n = {{ sources | unique | list | length }}
        then sha256(
            getvariable('fangpin_build_state') || '|{{ name }}|{{ detail }}|'
            || coalesce(builds.keys, '') || '|' || coalesce(raw.keys, '')
        )
    end as kept_key
    from builds, raw
{%- endmacro %}


{% materialization kept_table, adapter="duckdb" %}
  {%- set models, sources = [], [] -%}
  {%- do kept_inputs(model.unique_id, models, sources, [], true) -%}
  {%- set found = run_query(
      "with key as (" ~ kept_key_sql(model.unique_id, [], sources, '') ~ ") "
      ~ "select key.kept_key, (select build_key from main.model_builds "
      ~ "where model = '" ~ model.unique_id ~ "') from key"
  ).rows[0] -%}
  {%- set key, stored = found[0], found[1] -%}
  {%- set existing = load_cached_relation(this) -%}
  {%- if key is not none and key == stored and existing is not none and existing.is_table -%}
    {% call statement('main') -%}
      select 'kept' as build
    {%- endcall %}
    {{ adapter.commit() }}
    {{ return({'relations': [this.incorporate(type='table')]}) }}
  {%- endif -%}
  {%- set result = materialization_table_duckdb() -%}
  {% call statement('kept_table_record') -%}
    {% if key is none -%}
      delete from main.model_builds where model = '{{ model.unique_id }}'
    {%- else -%}
      insert or replace into main.model_builds
      values ('{{ model.unique_id }}', '{{ key }}', now()::timestamp)
    {%- endif %}
  {%- endcall %}
  {{ adapter.commit() }}
  {{ return(result) }}
{% endmaterialization %}


{%- materialization test, adapter='duckdb' -%}
  {%- if should_store_failures() -%}
    {{ return(materialization_test_default()) }}
  {%- endif -%}
  {%- set models, sources = [], [] -%}
  {%- do kept_inputs(model.unique_id, models, sources, [], false) -%}
  {%- set lookup = run_query(
      "with key as (" ~ kept_key_sql(model.unique_id, models, sources, local_md5(sql)) ~ ") "
      ~ "select key.kept_key, stored.failures from key left join main.test_results as stored "
      ~ "on stored.test = '" ~ model.unique_id ~ "' and stored.test_key = key.kept_key"
  ).rows[0] -%}
  {%- set key, failures = lookup[0], lookup[1] -%}
  {%- set fail_calc = config.get('fail_calc') -%}
  {%- set warn_if, error_if = config.get('warn_if'), config.get('error_if') -%}
  {%- if key is not none and failures is not none -%}
    {% call statement('main', fetch_result=True) -%}
      select {{ failures }} as failures,
          {{ failures }} {{ warn_if }} as should_warn,
          {{ failures }} {{ error_if }} as should_error
    {%- endcall %}
    {{ return({'relations': []}) }}
  {%- endif -%}
  {#- the test's own query, as dbt runs it (an INSERT around it plans the scans slower) -#}
  {% call statement('main', fetch_result=True) -%}
    {{ get_test_sql(get_limit_subquery_sql(sql, config.get('limit')), fail_calc, warn_if, error_if, limit=none) }}
  {%- endcall %}
  {%- set counted = load_result('main')['data'][0][0] -%}
  {% call statement('kept_test_record') -%}
    {% if key is none or counted is none -%}
      delete from main.test_results where test = '{{ model.unique_id }}'
    {%- else -%}
      insert or replace into main.test_results
      values ('{{ model.unique_id }}', '{{ key }}', {{ counted }}, now()::timestamp)
    {%- endif %}
  {%- endcall %}
  {{ adapter.commit() }}
  {{ return({'relations': []}) }}
{%- endmaterialization -%}
