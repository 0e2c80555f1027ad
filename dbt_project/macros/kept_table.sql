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
  key and failures, written for the whole invocation by `kept_end`, an on-run-end hook),
  main.source_digests (the raw tables' digests, copied at the start of every dbt invocation by
  `kept_start`, an on-run-start hook). Without digests in the restricted store,
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


{#
  The outcomes of the data tests that ran in this invocation, recorded in one statement (an
  on-run-end hook): a statement and a commit per test cost dbt about 9 ms each. A test's key is
  computed again here from the records its lookup read: the tables it reads were built before it
  ran, so their records are the same. A test that was kept keeps its record; a test that did not
  give a number of failures (an error), or whose key is NULL, loses its record, so that it runs
  the next time.
#}
{% macro kept_end(results) -%}
  {%- if execute -%}
    {%- set tested, failures, failed = [], [], [] -%}
    {%- for result in results if result.node.resource_type == 'test' -%}
      {%- set test = result.node -%}
      {%- if result.status in ('pass', 'warn', 'fail') and result.failures is not none -%}
        {%- set models, sources = [], [] -%}
        {%- do kept_inputs(test.unique_id, models, sources, [], false) -%}
        {%- do tested.append([test.unique_id, models, sources, local_md5(test.compiled_code)]) -%}
        {%- do failures.append(result.failures) -%}
      {%- elif result.status != 'skipped' -%}
        {%- do failed.append(test.unique_id) -%}
      {%- endif -%}
    {%- endfor -%}
    {%- if tested or failed -%}
      {% call statement('kept_end') -%}
        {% if tested -%}
        create or replace temporary table kept_outcomes as
        with keys as ({{ kept_keys_sql(tested) }}),
        outcomes (name, failures) as (
            values {% for t in tested %}('{{ t[0] }}', {{ failures[loop.index0] }}){{ ", " if not loop.last }}{% endfor %}
        )
        select keys.name, keys.kept_key, outcomes.failures
        from keys join outcomes on outcomes.name = keys.name;
        delete from main.test_results
        where test in (select name from kept_outcomes where kept_key is null);
        insert or replace into main.test_results
        select name, kept_key, failures, now()::timestamp from kept_outcomes as o
        where kept_key is not null and not exists (
            select 1 from main.test_results as stored
            where stored.test = o.name and stored.test_key = o.kept_key
        );
        drop table kept_outcomes;
        {%- endif %}
        delete from main.test_results where test in {{ kept_in_list(failed) }};
      {%- endcall %}
      {% do adapter.commit() %}
    {%- endif -%}
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


{#
  SQL: one row (name, kept_key) for each node of `nodes`, a list of [name, models, sources,
  detail]; a node's key is NULL unless each of its inputs has its record.
#}
{% macro kept_keys_sql(nodes) -%}
    with nodes (name, detail, n_models, n_sources) as (
        values {% for name, models, sources, detail in nodes -%}
            ('{{ name }}', '{{ detail }}', {{ models | unique | list | length }},
             {{ sources | unique | list | length }}){{ ", " if not loop.last }}
        {%- endfor %}
    ),
    inputs as (
        select * from (values (null::varchar, null::varchar, null::varchar)
        {%- for name, models, sources, detail in nodes -%}
            {%- for m in models | unique %}, ('{{ name }}', 'model', '{{ m }}'){% endfor -%}
            {%- for s in sources | unique %}, ('{{ name }}', 'source', '{{ s }}'){% endfor -%}
        {%- endfor %}) as v (name, kind, input) where name is not null
    ),
    records (kind, input, value) as (
        select 'model', model, build_key from main.model_builds
        union all
        select 'source', raw_table, digest from main.source_digests
    ),
    found as (
        select inputs.name, inputs.kind, count(*) as n,
            string_agg(records.input || '=' || records.value, ';' order by records.input) as keys
        from inputs
        join records on records.kind = inputs.kind and records.input = inputs.input
        group by inputs.name, inputs.kind
    )
    select nodes.name, case
        when coalesce(builds.n, 0) = nodes.n_models and coalesce(raw.n, 0) = nodes.n_sources
        then sha256(
            getvariable('fangpin_build_state') || '|' || nodes.name || '|' || nodes.detail || '|'
            || coalesce(builds.keys, '') || '|' || coalesce(raw.keys, '')
        )
    end as kept_key
    from nodes
    left join found as builds on builds.name = nodes.name and builds.kind = 'model'
    left join found as raw on raw.name = nodes.name and raw.kind = 'source'
{%- endmacro %}


{% materialization kept_table, adapter="duckdb" %}
  {%- set models, sources = [], [] -%}
  {%- do kept_inputs(model.unique_id, models, sources, [], true) -%}
  {%- set found = run_query(
      "with key as (" ~ kept_keys_sql([[model.unique_id, [], sources, '']]) ~ ") "
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
      "with key as (" ~ kept_keys_sql([[model.unique_id, models, sources, local_md5(sql)]]) ~ ") "
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
  {#- the test's own query, as dbt runs it (an INSERT around it plans the scans slower); its
      outcome is recorded with the others' by `kept_end` -#}
  {% call statement('main', fetch_result=True) -%}
    {{ get_test_sql(get_limit_subquery_sql(sql, config.get('limit')), fail_calc, warn_if, error_if, limit=none) }}
  {%- endcall %}
  {{ return({'relations': []}) }}
{%- endmaterialization -%}
