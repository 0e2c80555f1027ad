-- SPEC §4.3: a survey year without a monitoring line (防返贫监测线) for its province is an
-- error that names the missing pair, never a silent default. The test errors with a message
-- listing every missing province/year (and returns them as rows on adapters without error()).
{{ config(severity='error') }}

with survey_years as (
    select distinct
        left(village_code, 2) as province_code,
        year
    from {{ ref('stg_restricted__households') }}
),

lines as (
    select
        province_code,
        year
    from {{ ref('stg_restricted__monitoring_lines') }}
),

missing as (
    select
        survey_years.province_code,
        survey_years.year
    from survey_years
    left join lines
        on survey_years.province_code = lines.province_code
        and survey_years.year = lines.year
    where lines.province_code is null
),

summary as (
    select
        count(*) as missing_pairs,
        'monitoring line missing (缺少防返贫监测线) for province/year: '
            || {{ dbt.listagg("missing.province_code || '/' || cast(missing.year as varchar)", "', '", "order by missing.province_code, missing.year") }}
            || ' — add them to reference/monitoring_lines.csv' as message
    from missing
)

select
    missing.province_code,
    missing.year,
    summary.message
from missing
cross join summary
where {{ raise_error_if('summary.missing_pairs > 0', 'summary.message') }}
