{#
  kept_table: dbt-duckdb's table materialization, except that a table whose inputs are those of
  its last build is kept as it is instead of being built again (docs/dbt-models.md, "Kept
  tables"). A table's build key is the SHA-256 of
    - `fangpin_build_state`, set on every connection by orchestration/dbt_plugin.py: the files
      of the dbt project (models, macros, seeds, dbt_project.yml), the versions of dbt,
      dbt-duckdb and DuckDB, and the pseudonymisation salt;
    - the model's unique id;
    - the content digest (row count and sum of the rows' hashes) of every raw table the model
      reads, directly or through other models, as ingestion stored it in
      restricted.audit.raw_digests when it loaded the table.
  The keys of the tables as built are in main.model_builds. No key (no digests in the
  restricted store, no build state on the connection) or `--full-refresh` builds the table.
#}

{% macro kept_table_sources(unique_id, found, seen) -%}
  {%- for dependency in graph.nodes[unique_id].depends_on.nodes -%}
    {%- if dependency not in seen -%}
      {%- do seen.append(dependency) -%}
      {%- if dependency in graph.sources -%}
        {%- do found.append(graph.sources[dependency].identifier) -%}
      {%- elif dependency in graph.nodes -%}
        {%- do kept_table_sources(dependency, found, seen) -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}


{% macro kept_table_build_key() -%}
  {%- set digests = adapter.get_relation(database='restricted', schema='audit', identifier='raw_digests') -%}
  {%- if digests is none or flags.FULL_REFRESH -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set found = [] -%}
  {%- do kept_table_sources(model.unique_id, found, []) -%}
  {%- set tables = found | unique | sort | list -%}
  {%- set query -%}
    select case when count(*) = {{ tables | length }} then sha256(
        getvariable('fangpin_build_state') || '|{{ model.unique_id }}|'
        || coalesce(string_agg(raw_table || '=' || digest, ';' order by raw_table), '')
    ) end
    from {{ digests }}
    where raw_table in ({% for t in tables %}'{{ t }}', {% endfor %}null)
  {%- endset -%}
  {{ return(run_query(query).columns[0].values()[0]) }}
{%- endmacro %}


{# The tables that record the keys: main.model_builds and main.test_results. #}
{% macro kept_records() -%}
  {%- set builds = api.Relation.create(database=this.database, schema='main', identifier='model_builds', type='table') -%}
  {%- set results = api.Relation.create(database=this.database, schema='main', identifier='test_results', type='table') -%}
  {% call statement('kept_records') -%}
    create table if not exists {{ builds }} (model varchar, build_key varchar, built_at timestamp);
    create table if not exists {{ results }} (
        test varchar primary key, test_key varchar, failures bigint, tested_at timestamp
    )
  {%- endcall %}
  {{ return({'builds': builds, 'results': results}) }}
{%- endmacro %}


{% materialization kept_table, adapter="duckdb" %}
  {%- set builds = kept_records()['builds'] -%}
  {%- set key = kept_table_build_key() -%}
  {%- set existing = load_cached_relation(this) -%}
  {%- if key is not none and existing is not none and existing.is_table -%}
    {%- set stored = run_query("select build_key from " ~ builds ~ " where model = '" ~ model.unique_id ~ "'").columns[0].values() -%}
    {%- if stored | list == [key] -%}
      {{ log("kept " ~ this ~ ": built from the same inputs", info=false) }}
      {% call statement('main') -%}
        select 'kept' as build
      {%- endcall %}
      {{ adapter.commit() }}
      {{ return({'relations': [this.incorporate(type='table')]}) }}
    {%- endif -%}
  {%- endif -%}
  {%- set result = materialization_table_duckdb() -%}
  {% call statement('kept_table_forget') -%}
    delete from {{ builds }} where model = '{{ model.unique_id }}'
  {%- endcall %}
  {%- if key is not none -%}
    {% call statement('kept_table_remember') -%}
      insert into {{ builds }} values ('{{ model.unique_id }}', '{{ key }}', now()::timestamp)
    {%- endcall %}
  {%- endif -%}
  {{ adapter.commit() }}
  {{ return(result) }}
{% endmaterialization %}


{#
  Data tests: a test whose SQL and inputs are those of its last run reports the failures it
  found then (main.test_results), without running again. Its key is the SHA-256 of the build
  state, the test's unique id and SQL, the build keys of the kept tables it reads (directly or
  through views) and the digests of the raw tables it reads directly. A test without a key
  (an input without a build key) or with `store_failures` runs as dbt's own test
  materialization does, and its result is recorded.
#}

{% macro kept_test_inputs(unique_id, models, sources, seen) -%}
  {%- for dependency in graph.nodes[unique_id].depends_on.nodes -%}
    {%- if dependency not in seen -%}
      {%- do seen.append(dependency) -%}
      {%- if dependency in graph.sources -%}
        {%- do sources.append(graph.sources[dependency].identifier) -%}
      {%- elif dependency in graph.nodes and graph.nodes[dependency].config.materialized == 'kept_table' -%}
        {%- do models.append(dependency) -%}
      {%- elif dependency in graph.nodes -%}
        {%- do kept_test_inputs(dependency, models, sources, seen) -%}
      {%- endif -%}
    {%- endif -%}
  {%- endfor -%}
{%- endmacro %}


{% macro kept_in_list(values) -%}
  ({% for v in values %}'{{ v }}', {% endfor %}null)
{%- endmacro %}


{% macro kept_test_key(builds, results) -%}
  {%- set digests = adapter.get_relation(database='restricted', schema='audit', identifier='raw_digests') -%}
  {%- if digests is none or should_store_failures() -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set models, sources = [], [] -%}
  {%- do kept_test_inputs(model.unique_id, models, sources, []) -%}
  {%- set query -%}
    with builds as (
        select count(*) as n, string_agg(model || '=' || build_key, ';' order by model) as keys
        from {{ builds }} where model in {{ kept_in_list(models) }}
    ),
    raw as (
        select count(*) as n, string_agg(raw_table || '=' || digest, ';' order by raw_table) as keys
        from {{ digests }} where raw_table in {{ kept_in_list(sources | unique | list) }}
    ),
    key as (
        select case when builds.n = {{ models | length }}
            and raw.n = {{ sources | unique | list | length }}
        then sha256(
            getvariable('fangpin_build_state') || '|{{ model.unique_id }}|{{ local_md5(sql) }}|'
            || coalesce(builds.keys, '') || '|' || coalesce(raw.keys, '')
        ) end as test_key
        from builds, raw
    )
    select key.test_key, stored.failures
    from key
    left join {{ results }} as stored
        on stored.test = '{{ model.unique_id }}' and stored.test_key = key.test_key
  {%- endset -%}
  {%- set row = run_query(query).rows[0] -%}
  {{ return({'key': row[0], 'failures': row[1]}) }}
{%- endmacro %}


{%- materialization test, adapter='duckdb' -%}
  {%- set records = kept_records() -%}
  {%- set kept = kept_test_key(records['builds'], records['results']) -%}
  {%- if kept is none -%}
    {% do adapter.commit() %}
    {{ return(materialization_test_default()) }}
  {%- endif -%}
  {%- set fail_calc = config.get('fail_calc') -%}
  {%- set warn_if = config.get('warn_if') -%}
  {%- set error_if = config.get('error_if') -%}
  {%- if kept['key'] is not none and kept['failures'] is not none -%}
    {% call statement('main', fetch_result=True) -%}
      select {{ kept['failures'] }} as failures,
        {{ kept['failures'] }} {{ warn_if }} as should_warn,
        {{ kept['failures'] }} {{ error_if }} as should_error
    {%- endcall %}
    {% do adapter.commit() %}
    {{ return({'relations': []}) }}
  {%- endif -%}
  {% call statement('main', fetch_result=True) -%}
    insert or replace into {{ records['results'] }}
    select '{{ model.unique_id }}', {{ "'" ~ kept['key'] ~ "'" if kept['key'] is not none else "null" }},
        failures, now()::timestamp
    from (
      select {{ fail_calc }} as failures
      from ({{ get_limit_subquery_sql(sql, config.get('limit')) }}) dbt_internal_test
    ) as counted
    returning failures, failures {{ warn_if }} as should_warn, failures {{ error_if }} as should_error
  {%- endcall %}
  {% do adapter.commit() %}
  {{ return({'relations': []}) }}
{%- endmaterialization -%}
