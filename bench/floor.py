"""Floor: what DuckDB alone takes to turn the CSV landing files into the three spine marts.

Reads the survey and ledger CSV files of a landing area with glob `read_csv`, applies the row
rules of ingestion (ID number check character and birth date, enumerations, village exists and
lies in the file's county, the member's / income row's household loaded in the same year,
amounts ≥ 0, household size = members listed, repeated keys, date order) in SQL, and computes
`fct_household_annual_income`, `mart_county_income_targets` and `mart_measure_completeness` as
the dbt models define them, within a DuckDB memory limit. No quarantine, ledger, checks,
pseudonymisation or other marts: a lower bound for the pipeline, not a second pipeline.

    python bench/floor.py --landing DIR [--db FILE] [--memory-limit 3GB] [--json FILE]
    python bench/floor.py --db FILE --compare WAREHOUSE   # the marts against the pipeline's

CSV landing areas only (`fangpin generate --format csv`); header spellings: Chinese, Chinese
with the unit suffix （元）, or the code names.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"

# code name → Chinese header; the code name is accepted too, and a trailing unit is dropped
HEADERS: dict[str, dict[str, str]] = {
    "households": {
        "household_id": "户编号",
        "village_code": "行政区划代码",
        "head_name": "户主姓名",
        "head_id_number": "户主身份证号",
        "household_size": "家庭人口数",
        "is_alleviated": "是否脱贫户",
        "is_relocated": "是否易地扶贫搬迁户",
        "housing_safe": "住房安全",
        "water_safe": "饮水安全",
        "education_ok": "义务教育保障",
        "medical_ok": "基本医疗保障",
        "survey_date": "采集日期",
    },
    "members": {
        "household_id": "户编号",
        "name": "姓名",
        "id_number": "身份证号",
        "relation": "与户主关系",
        "health": "健康状况",
        "labor": "劳动技能",
        "schooling": "在校生状况",
        "work_area": "务工区域",
        "work_months": "务工月数",
        "medical_insured": "参加医保",
    },
    "income": {
        "household_id": "户编号",
        "income_year": "年度",
        "wage_income": "工资性收入",
        "operating_income": "生产经营性收入",
        "operating_expense": "生产经营性支出",
        "property_income": "财产性收入",
        "transfer_income": "转移性收入",
        "transfer_dibao": "其中：低保金",
        "transfer_tekun": "其中：特困供养金",
        "transfer_pension": "其中：养老金",
        "transfer_eco": "其中：生态补偿金",
    },
    "monitoring": {
        "household_id": "户编号",
        "category": "监测对象类别",
        "risk_types": "风险类型",
        "discovery_channel": "发现方式",
        "risk_found_date": "风险发现日期",
        "identified_date": "识别认定日期",
        "eliminated_date": "风险消除日期",
    },
    "measures": {
        "measure_id": "措施编号",
        "household_id": "户编号",
        "measure_type": "措施类别",
        "start_date": "开始日期",
        "end_date": "结束日期",
        "amount_yuan": "资金金额",
        "funding_source": "资金来源",
    },
}
GLOBS = {
    "households": "survey/*/*/households.csv",
    "members": "survey/*/*/members.csv",
    "income": "survey/*/*/income.csv",
    "monitoring": "monitoring/*/*.csv",
    "measures": "measures/*/*.csv",
}
UNIT_SUFFIXES = ("（元）", "(元)")

# enumerations of sources.yaml that are not dbt seeds
ENUMS = {
    "relation": "户主 配偶 子 女 儿媳 女婿 孙子 孙女 父亲 母亲 兄弟姐妹 其他",
    "health": "健康 长期慢性病 患有大病 残疾",
    "labor": "技能劳动力 普通劳动力 弱劳动力或半劳动力 丧失劳动力 无劳动力",
    "schooling": "非在校生 学前教育 小学 七年级 八年级 九年级 高中 中职 高职 大专及以上 失学辍学",
    "work_area": "未务工 县内 省内县外 省外",
    "discovery_channel": "农户自主申报 基层干部排查 部门筛查预警",
    "funding_source": "衔接资金 行业资金 东西部协作 定点帮扶 社会帮扶 其他",
}

MACROS = """
-- GB 11643 check character of the first 17 digits `n` (an integer: 17 digit extractions
-- by integer arithmetic cost a third of 17 substrings)
create or replace macro id_check_character(n) as substr('10X98765432', ((
        7 * (n // 10000000000000000 % 10) + 9 * (n // 1000000000000000 % 10) +
        10 * (n // 100000000000000 % 10) + 5 * (n // 10000000000000 % 10) +
        8 * (n // 1000000000000 % 10) + 4 * (n // 100000000000 % 10) +
        2 * (n // 10000000000 % 10) + 1 * (n // 1000000000 % 10) + 6 * (n // 100000000 % 10) +
        3 * (n // 10000000 % 10) + 7 * (n // 1000000 % 10) + 9 * (n // 100000 % 10) +
        10 * (n // 10000 % 10) + 5 * (n // 1000 % 10) + 8 * (n // 100 % 10) +
        4 * (n // 10 % 10) + 2 * (n // 1 % 10)
    ) % 11) + 1, 1);
create or replace macro id_ok(s, n) as coalesce(
    regexp_full_match(s, '[0-9]{17}[0-9X]')
    and try_strptime(substr(s, 7, 8), '%Y%m%d') is not null
    and substr(s, 7, 8) between '19000101' and strftime(current_date, '%Y%m%d')
    and right(s, 1) = id_check_character(n), false);
create or replace macro yes_no_ok(v) as coalesce(v in ('是', '否'), false);
create or replace macro amount(v) as try_cast(v as decimal(18, 2));
create or replace macro amount_ok(v) as coalesce(amount(v) >= 0, false);
create or replace macro optional_amount_ok(v) as v is null or amount_ok(v);
create or replace macro as_date(v) as try_cast(v as date);
create or replace macro date_ok(v) as
    coalesce(as_date(v) between date '2014-01-01' and current_date, false);
create or replace macro optional_date_ok(v) as v is null or date_ok(v);
create or replace macro in_list(v, list) as coalesce(list_contains(list, v), false);
"""

RULES = """
-- reference lists: the dbt seeds, the regions and monitoring lines of the landing area
create or replace table regions as
    select * from read_csv('{landing}/reference/regions.csv', all_varchar = true);
create or replace table monitoring_lines as
    select province_code, cast(year as integer) as year, cast(line_yuan as decimal(18, 2)) as line
    from read_csv('{landing}/reference/monitoring_lines.csv', all_varchar = true);
create or replace table thresholds as
    select
        max(value) filter (threshold = 'low_income_per_capita_yuan') as low_income,
        max(value) filter (threshold = 'labor_age_min') as labor_age_min,
        max(value) filter (threshold = 'labor_age_max') as labor_age_max
    from read_csv('{seeds}/rule_thresholds.csv');
create or replace table measure_types as select * from read_csv('{seeds}/measure_types.csv');
create or replace table answers as select * from read_csv('{seeds}/measure_type_answers.csv');
create or replace table labor_skills as select * from read_csv('{seeds}/labor_skills.csv');
set variable categories =
    (select list(category) from read_csv('{seeds}/monitoring_categories.csv'));
set variable risk_types = (select list(risk_type) from read_csv('{seeds}/risk_types.csv'));
set variable measure_type_list = (select list(measure_type) from measure_types);
set variable labor_counted = (select list(labor) from labor_skills where counts_as_labor);
set variable labor_age_min = (select labor_age_min from thresholds);
set variable labor_age_max = (select labor_age_max from thresholds);

-- members: cells checked while the files are read; kept: what the rules and marts use, the
-- (year, ID number) key as an integer (17 digits and the check character's place)
create or replace temp table members_read as
select year, county_code, household_id,
    case when regexp_full_match(id_number, '[0-9]{{17}}[0-9X]')
        then id17 * 16 + strpos('10X98765432', right(id_number, 1)) end as id_key,
    coalesce(list_contains(getvariable('labor_counted'), labor)
        and year - try_cast(substr(id_number, 7, 4) as integer)
            between getvariable('labor_age_min') and getvariable('labor_age_max'), false)
        as is_labor,
    coalesce(name is not null and id_ok(id_number, id17)
        and in_list(relation, {relation}) and in_list(health, {health})
        and in_list(labor, {labor}) and in_list(schooling, {schooling})
        and in_list(work_area, {work_area})
        and try_cast(work_months as integer) between 0 and 12
        and yes_no_ok(medical_insured), false) as cells_ok
from (select *, try_cast(left(id_number, 17) as bigint) as id17 from ({members}));

-- households: cell rules, repeated (year, 户编号), village known and in the file's county,
-- survey date in the year or its following March, size = members listed
create or replace temp table households_read as
select year, county_code, household_id, village_code,
    try_cast(household_size as integer) as household_size,
    is_alleviated = '是' as is_alleviated,
    as_date(survey_date) as survey_date,
    coalesce(household_id is not null and head_name is not null
        and id_ok(head_id_number, id17)
        and try_cast(household_size as integer) between 1 and 30
        and yes_no_ok(is_alleviated) and yes_no_ok(is_relocated) and yes_no_ok(housing_safe)
        and yes_no_ok(water_safe) and yes_no_ok(education_ok) and yes_no_ok(medical_ok)
        and date_ok(survey_date)
        and as_date(survey_date) between make_date(year, 1, 1) and make_date(year + 1, 3, 31),
        false) as cells_ok
from (select *, try_cast(left(head_id_number, 17) as bigint) as id17 from ({households}));
create or replace temp table households_checked as
with member_rows as (
    select year, county_code, household_id, count(*) as n
    from members_read where household_id is not null group by all
),
repeated as (
    select year, household_id from households_read
    where household_id is not null group by all having count(*) > 1
)
select h.*, h.cells_ok
    and coalesce(v.region_code is not null and left(h.village_code, 6) = h.county_code, false)
    and r.household_id is null
    and coalesce(h.household_size = coalesce(m.n, 0), false) as ok
from households_read h
left join (select region_code from regions where level = 'village') v
    on v.region_code = h.village_code
left join repeated r on r.year = h.year and r.household_id = h.household_id
left join member_rows m
    on m.year = h.year and m.county_code = h.county_code and m.household_id = h.household_id;
drop table households_read;
create or replace table households as
    select year, county_code, household_id, village_code, household_size, is_alleviated,
        survey_date
    from households_checked where ok;
-- a household id is loaded in a year when none of its rows of that year was quarantined
create or replace temp table households_loaded as
    select year, household_id
    from households_checked where household_id is not null group by all having bool_and(ok);
drop table households_checked;

-- loaded members, per household and year: has_labor (SPEC §3.2)
create or replace table member_labor as
with repeated as (
    select year, id_key from members_read
    where id_key is not null group by all having count(*) > 1
)
select m.year, m.household_id, bool_or(m.is_labor) as has_labor
from members_read m
anti join repeated r on r.year = m.year and r.id_key = m.id_key
semi join households_loaded s on s.year = m.year and s.household_id = m.household_id
where m.cells_ok
group by all;
drop table members_read;

create or replace table income as
with income_read as ({income}),
repeated as (
    select year, household_id from income_read
    where household_id is not null group by all having count(*) > 1
)
select i.year, i.household_id,
    amount(i.wage_income) as wage_income,
    amount(i.operating_income) - amount(i.operating_expense) as operating_net_income,
    amount(i.property_income) as property_income,
    amount(i.transfer_income) as transfer_income
from income_read i
left join repeated r on r.year = i.year and r.household_id = i.household_id
semi join households_loaded s on s.year = i.year and s.household_id = i.household_id
where r.household_id is null and try_cast(i.income_year as integer) = i.year
    and amount_ok(i.wage_income) and amount_ok(i.operating_income)
    and amount_ok(i.operating_expense) and amount_ok(i.property_income)
    and amount_ok(i.transfer_income)
    and optional_amount_ok(i.transfer_dibao) and optional_amount_ok(i.transfer_tekun)
    and optional_amount_ok(i.transfer_pension) and optional_amount_ok(i.transfer_eco)
    and coalesce(amount(i.transfer_dibao), 0) + coalesce(amount(i.transfer_tekun), 0)
        + coalesce(amount(i.transfer_pension), 0) + coalesce(amount(i.transfer_eco), 0)
        <= amount(i.transfer_income);

-- ledgers: household loaded in some year, enumerations, dates in order
create or replace table monitoring as
with monitoring_read as ({monitoring}),
split as (
    select *, list_filter(
        regexp_split_to_array(risk_types, '[、,;，；\\s\\x{{3000}}]'), lambda p: p <> ''
    ) as risk_list
    from monitoring_read
)
select m.year as ledger_year, m.county_code, m.household_id, m.filename,
    array_to_string(m.risk_list, '、') as risk_types,
    as_date(m.risk_found_date) as risk_found_date, as_date(m.identified_date) as identified_date,
    as_date(m.eliminated_date) as eliminated_date
from split m
semi join (select distinct household_id from households) h on h.household_id = m.household_id
where in_list(m.category, getvariable('categories'))
    and len(m.risk_list) > 0
    and len(list_filter(m.risk_list, lambda p: not list_contains(getvariable('risk_types'), p))) = 0
    and in_list(m.discovery_channel, {discovery_channel})
    and date_ok(m.risk_found_date) and date_ok(m.identified_date)
    and optional_date_ok(m.eliminated_date)
    and as_date(m.identified_date) >= as_date(m.risk_found_date)
    and coalesce(as_date(m.eliminated_date) >= as_date(m.identified_date), true);

create or replace table measures as
with measures_read as ({measures}),
repeated as (
    select measure_id from measures_read
    where measure_id is not null group by all having count(*) > 1
)
select m.household_id, m.measure_type, as_date(m.start_date) as start_date,
    as_date(m.end_date) as end_date
from measures_read m
anti join repeated r on r.measure_id = m.measure_id
semi join (select distinct household_id from households) h on h.household_id = m.household_id
where m.measure_id is not null
    and in_list(m.measure_type, getvariable('measure_type_list'))
    and date_ok(m.start_date) and optional_date_ok(m.end_date)
    and coalesce(as_date(m.end_date) >= as_date(m.start_date), true)
    and optional_amount_ok(m.amount_yuan)
    and (m.funding_source is null or in_list(m.funding_source, {funding_source}));
"""

MARTS = """
-- one row per episode: the latest ledger listing it wins
create or replace temp table episodes as
select household_id || ':' || strftime(risk_found_date, '%Y%m%d') as episode_id, *
from monitoring
qualify row_number() over (
    partition by household_id, risk_found_date order by ledger_year desc, filename desc
) = 1;

-- has_labor of every loaded household and year (SPEC §3.2)
create or replace temp table household_labor as
select h.year, h.household_id, coalesce(l.has_labor, false) as has_labor
from households h
left join member_labor l on l.year = h.year and l.household_id = h.household_id;

create or replace temp table household_years as
with monitored_years as (
    select distinct e.household_id, y.year
    from episodes e
    join (select distinct year from households) y
        on e.identified_date <= make_date(y.year, 12, 31)
        and (e.eliminated_date is null
            or e.eliminated_date > greatest(make_date(y.year, 1, 1), e.identified_date))
)
select h.year, h.household_id, h.village_code, left(h.village_code, 6) as county_code,
    left(h.village_code, 4) as city_code, left(h.village_code, 2) as province_code,
    h.household_size, h.is_alleviated,
    cast(i.wage_income + i.operating_net_income + i.property_income + i.transfer_income
        as decimal(18, 2)) as net_income,
    h.is_alleviated or y.household_id is not null as in_target_population,
    l.has_labor
from households h
join income i on i.year = h.year and i.household_id = h.household_id
join household_labor l on l.year = h.year and l.household_id = h.household_id
left join monitored_years y on y.year = h.year and y.household_id = h.household_id;

create or replace table fct_household_annual_income as
with previous as (
    select *,
        lag(year) over w as prev_year,
        lag(net_income) over w as prev_net_income,
        lag(household_size) over w as prev_household_size
    from household_years
    window w as (partition by household_id order by year)
)
select p.household_id, p.year, p.village_code, p.county_code, p.household_size,
    p.net_income, cast(p.net_income / p.household_size as decimal(18, 6)) as per_capita_net_income,
    l.line as monitoring_line, p.in_target_population, p.has_labor,
    p.net_income < l.line * p.household_size as is_below_line,
    case when p.prev_year = p.year - 1
        then p.net_income * p.prev_household_size < p.prev_net_income * p.household_size
    end as is_income_decrease,
    p.is_alleviated and p.net_income < t.low_income * p.household_size as is_low_income_focus
from previous p
cross join thresholds t
left join monitoring_lines l on l.province_code = p.province_code and l.year = p.year;

create or replace table mart_county_income_targets as
with panel as (
    select c.*, p.net_income as prev_net_income, p.household_size as prev_household_size
    from household_years c
    join household_years p on p.household_id = c.household_id and p.year = c.year - 1
    where c.in_target_population
),
by_region as (
    select 'county' as level, county_code as region_code, year, count(*) as households,
        sum(net_income) as net, sum(household_size) as persons,
        sum(prev_net_income) as prev_net, sum(prev_household_size) as prev_persons
    from panel group by all
    union all
    select 'city', city_code, year, count(*), sum(net_income), sum(household_size),
        sum(prev_net_income), sum(prev_household_size)
    from panel group by all
),
growth as (
    select *, cast(net as double) * prev_persons / nullif(cast(persons as double) * prev_net, 0)
        - 1 as growth_balanced
    from by_region
),
target as (
    select county_code, year, sum(net_income) as net, sum(household_size) as persons
    from household_years where in_target_population group by all
),
counties as (select distinct county_code, year from household_years)
select c.county_code, left(c.county_code, 4) as city_code, c.year,
    coalesce(g.households, 0) as households_balanced,
    cast(g.net / nullif(g.persons, 0) as decimal(18, 6)) as per_capita_balanced,
    cast(g.prev_net / nullif(g.prev_persons, 0) as decimal(18, 6)) as per_capita_balanced_prev,
    g.growth_balanced,
    cast(t.net as double) * tp.persons / nullif(cast(t.persons as double) * tp.net, 0) - 1
        as growth_unbalanced,
    cp.growth_balanced as city_growth_prev_year,
    g.growth_balanced >= cp.growth_balanced as meets_target,
    (g.growth_balanced >= cp.growth_balanced) is false as under_supervision
from counties c
left join growth g on g.level = 'county' and g.region_code = c.county_code and g.year = c.year
left join growth cp
    on cp.level = 'city' and cp.region_code = left(c.county_code, 4) and cp.year = c.year - 1
left join target t on t.county_code = c.county_code and t.year = c.year
left join target tp on tp.county_code = c.county_code and tp.year = c.year - 1;

-- quarter ends from the first survey year to the quarter of the latest date in the data
create or replace temp table period_ends as
with bounds as (
    select make_date(min(year), 1, 1) as first_start, (
        select max(d) from (
            select max(survey_date) as d from households
            union all select max(risk_found_date) from monitoring
            union all select max(identified_date) from monitoring
            union all select max(eliminated_date) from monitoring
            union all select max(start_date) from measures
            union all select max(end_date) from measures
        )
    ) as latest
    from households
)
select cast(first_start + to_months(3 * (i + 1)) - interval 1 day as date) as period_end
from bounds, range(0, 400) q(i)
where first_start + to_months(3 * i) <= latest;

create or replace table mart_measure_completeness as
with monitored as (
    select p.period_end, e.*
    from episodes e
    join period_ends p
        on e.identified_date <= p.period_end
        and coalesce(e.eliminated_date, date '9999-12-31') > p.period_end
    qualify row_number() over (
        partition by e.household_id, p.period_end order by e.identified_date desc, e.episode_id desc
    ) = 1
),
running_by_type as (
    select m.household_id, p.period_end, m.measure_type, count(*) as n
    from measures m
    join period_ends p
        on m.start_date <= p.period_end
        and coalesce(m.end_date, date '9999-12-31') >= p.period_end
    group by all
),
running as (
    select r.household_id, r.period_end, sum(r.n) as running_measures,
        sum(r.n) filter (t.measure_type_code = 'social_assistance') as social_assistance
    from running_by_type r
    semi join monitored m on m.household_id = r.household_id and m.period_end = r.period_end
    left join measure_types t on t.measure_type = r.measure_type
    group by all
),
targeted as (
    select distinct m.household_id, m.period_end
    from monitored m
    cross join unnest(string_split(m.risk_types, '、')) as risk(risk_type)
    join answers a on a.risk_type = risk.risk_type
    join running_by_type r
        on r.household_id = m.household_id and r.period_end = m.period_end
        and r.measure_type = a.measure_type
),
latest_survey as (
    select m.household_id, m.period_end, h.village_code, y.has_labor
    from monitored m
    join households h on h.household_id = m.household_id and h.year <= year(m.period_end)
    join household_labor y on y.household_id = h.household_id and y.year = h.year
    qualify row_number() over (
        partition by m.household_id, m.period_end order by h.year desc
    ) = 1
)
select m.household_id, m.period_end,
    coalesce(left(s.village_code, 6), m.county_code) as county_code,
    m.risk_types, s.has_labor,
    coalesce(r.running_measures, 0) as running_measures,
    coalesce(r.running_measures, 0) > 0 as has_running_measure,
    t.household_id is not null as has_targeted_measure,
    s.has_labor and coalesce(r.running_measures, 0) > 0
        and coalesce(r.social_assistance, 0) = r.running_measures as is_yidou
from monitored m
left join latest_survey s on s.household_id = m.household_id and s.period_end = m.period_end
left join running r on r.household_id = m.household_id and r.period_end = m.period_end
left join targeted t on t.household_id = m.household_id and t.period_end = m.period_end;
"""

# figures compared with the pipeline's warehouse (schema marts)
COMPARISONS = {
    "fct_household_annual_income": (
        "count(*), sum(is_below_line::int), sum(is_income_decrease::int), "
        "sum(is_low_income_focus::int), sum(in_target_population::int), sum(net_income)"
    ),
    "mart_county_income_targets": (
        "count(*), sum(households_balanced), sum(meets_target::int), "
        "sum(under_supervision::int), round(sum(growth_balanced), 9)"
    ),
    "mart_measure_completeness": (
        "count(*), sum(has_running_measure::int), sum(has_targeted_measure::int), "
        "sum(is_yidou::int), sum(running_measures)"
    ),
}


def _code_name(header: str, source: str) -> str | None:
    """The code name a header cell spells (Chinese, with a unit suffix, or the code name)."""
    key = header.strip().lstrip("\ufeff").strip()
    for suffix in UNIT_SUFFIXES:
        key = key.removesuffix(suffix)
    if key in HEADERS[source]:
        return key
    return next((code for code, zh in HEADERS[source].items() if zh == key), None)


def _read_sql(landing: Path, source: str) -> str:
    """SELECT of one source's CSV files: year and county from the path, columns by code name.

    Files are grouped by their header line (read here, one line per file) so that DuckDB reads
    each group without sniffing: every cell VARCHAR, named by its code name.
    """
    groups: dict[str, list[str]] = {}
    for path in sorted(landing.glob(GLOBS[source])):
        with path.open(encoding="utf-8-sig") as f:
            groups.setdefault(f.readline().rstrip("\r\n"), []).append(path.as_posix())
    folder = "survey" if source in ("households", "members", "income") else source
    path_columns = (
        f"cast(regexp_extract(filename, '/{folder}/([0-9]{{4}})/', 1) as integer) as year, "
        f"left(regexp_extract(filename, '/{folder}/[0-9]{{4}}/([0-9]{{6}})', 1), 6) "
        "as county_code, filename"
    )
    branches = []
    for header, files in groups.items():
        names = [
            _code_name(cell, source) or f"_ignored_{i}" for i, cell in enumerate(header.split(","))
        ]
        columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
        file_list = "[" + ", ".join(f"'{f}'" for f in files) + "]"
        scan = (
            f"read_csv({file_list}, auto_detect = false, header = true, delim = ',', "
            f"quote = '\"', escape = '\"', columns = {columns}, filename = true)"
        )
        selected = ", ".join(
            f"{code if code in names else 'null::varchar'} as {code}" for code in HEADERS[source]
        )
        branches.append(f"select {path_columns}, {selected} from {scan}")
    return " union all ".join(branches)


def _enum_lists() -> dict[str, str]:
    return {
        name: "[" + ", ".join(f"'{v}'" for v in values.split()) + "]"
        for name, values in ENUMS.items()
    }


def _statements(sql: str) -> list[str]:
    return [s for s in (part.strip() for part in sql.split(";\n")) if s]


def run_floor(landing: Path, db: Path | None, memory_limit: str, threads: int) -> dict:
    """Build the three marts from the landing area; the figures of the run as a dict."""
    landing = landing.resolve()
    started = time.perf_counter()
    phases: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="fangpin-floor-") as spill:
        con = duckdb.connect(str(db) if db else ":memory:")
        con.execute(f"set memory_limit = '{memory_limit}'")
        con.execute(f"set threads = {int(threads)}")
        con.execute(f"set temp_directory = '{spill}'")
        con.execute("set preserve_insertion_order = false")
        con.execute("set enable_progress_bar = false")
        for statement in _statements(MACROS):
            con.execute(statement)
        reads = {s: _read_sql(landing, s) for s in GLOBS}
        rules = RULES.format(
            landing=landing.as_posix(), seeds=SEEDS.as_posix(), **reads, **_enum_lists()
        )
        t = time.perf_counter()
        for statement in _statements(rules):
            con.execute(statement)
        phases["read and row rules"] = time.perf_counter() - t
        t = time.perf_counter()
        for statement in _statements(MARTS):
            con.execute(statement)
        phases["marts"] = time.perf_counter() - t
        counts = {
            table: con.execute(f"select count(*) from {table}").fetchone()[0]
            for table in (
                "households",
                "member_labor",
                "income",
                "monitoring",
                "measures",
                *COMPARISONS,
            )
        }
        con.close()
    return {
        "landing": str(landing),
        "memory_limit": memory_limit,
        "threads": threads,
        "wall_s": round(time.perf_counter() - started, 3),
        "phases_s": {k: round(v, 3) for k, v in phases.items()},
        "rows": counts,
    }


def compare(db: Path, warehouse: Path) -> dict[str, dict]:
    """The figures of each mart in the floor's database and in the pipeline's warehouse."""
    result = {}
    with duckdb.connect(str(db), read_only=True) as floor_con:
        floor_con.execute(f"attach '{warehouse.as_posix()}' as warehouse (read_only)")
        for mart, figures in COMPARISONS.items():
            ours = floor_con.execute(f"select {figures} from main.{mart}").fetchone()
            theirs = floor_con.execute(f"select {figures} from warehouse.marts.{mart}").fetchone()
            result[mart] = {
                "floor": [str(v) for v in ours],
                "pipeline": [str(v) for v in theirs],
                "equal": tuple(ours) == tuple(theirs),
            }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, help="CSV landing area (SPEC §3 layout)")
    parser.add_argument("--db", type=Path, help="DuckDB file for the marts (default: in memory)")
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", type=Path, help="write the figures to this file as well")
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="WAREHOUSE",
        help="compare the marts in --db with the pipeline's warehouse",
    )
    args = parser.parse_args(argv)
    if args.compare:
        if args.db is None:
            parser.error("--compare needs --db (the floor's database)")
        result: dict = {"compare": compare(args.db, args.compare)}
        for mart, figures in result["compare"].items():
            verdict = "equal" if figures["equal"] else "DIFFERENT"
            print(f"{mart:<32} {verdict}")
            print(f"  floor:    {', '.join(figures['floor'])}")
            print(f"  pipeline: {', '.join(figures['pipeline'])}")
    else:
        if args.landing is None:
            parser.error("--landing is required")
        if args.db is not None:
            args.db.unlink(missing_ok=True)
        result = run_floor(args.landing, args.db, args.memory_limit, args.threads)
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in result["phases_s"].items())
        print(f"floor: {result['wall_s']:.1f} s ({phases})")
        print("rows: " + ", ".join(f"{k} {v}" for k, v in result["rows"].items()))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
