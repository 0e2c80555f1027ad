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


{% materialization kept_table, adapter="duckdb" %}
  {%- set builds = api.Relation.create(database=this.database, schema='main', identifier='model_builds', type='table') -%}
  {% call statement('kept_table_builds') -%}
    create table if not exists {{ builds }} (model varchar, build_key varchar, built_at timestamp)
  {%- endcall %}
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
