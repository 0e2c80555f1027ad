"""Row rules as DuckDB SQL, generated from sources.yaml (cell types and constraints, repeated
keys) plus the rules across rows and tables of SPEC §3 written out below.

The staged rows of a source (all VARCHAR, one view over all its files) become a typed table:
each column holds its typed value and an error code (NULL = fine). The common spelling of a
value takes a fast path; only the cells that fail it are normalised (NFKC full-width → ASCII,
white space trimmed) and parsed again, so millions of rows cost a few vectorised passes. The
cross-row and cross-table rules add one boolean per rule, kept only for the rows that break
something. A row with any error is quarantined with every broken rule named, in this order: the
columns' own rules, repeated keys, then the rules across rows and tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ingestion.config import Column, Config, Reason, Source
from ingestion.idnumber import sql_check_character

# white space trimmed from cells: ASCII, ideographic space, no-break space, zero-width space, BOM
WHITE_SPACE = " \t\r\n\f\v\u3000\u00a0\u200b\ufeff"
_WHITE_SPACE_CODES = ", ".join(str(ord(c)) for c in WHITE_SPACE)
# NFKC for what matters in a cell: full-width ASCII (ＡＢＣ１２３，．) → ASCII
_FULL_WIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
_HALF_WIDTH = "".join(chr(c) for c in range(0x21, 0x7F))
# 、 , ; (full or half width) and line breaks or spaces (several values in one Excel cell)
_LIST_SEPARATORS = "[、,;，；\\s\\x{3000}]"
ENUM_LIST_JOINER = "、"
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
# Excel's day 0 for serial dates (it counts 1900 as a leap year, so serials from March 1900 on
# are right with this origin)
EXCEL_EPOCH = "1899-12-30"

# columns that survey and ledger rows take from the file's path, not from a cell
PATH_COLUMNS = ("year", "county_code")
# error codes of a cell, in the order they are tested
MISSING, MALFORMED, OUT_OF_RANGE, CHECK_CHARACTER = 1, 2, 3, 4
# malformed ID numbers with a reason of their own: the old 15-digit form, and an ID number
# that Excel stored as a number (5.30102E+17: its last digits are lost)
ID_OLD_FORMAT, ID_AS_NUMBER = 5, 6
# The typed table packs the error codes of a row's checked cells into one integer, three bits
# per cell in the source's column order (a column of its own per cell would hold millions of
# NULLs: 1 GB of a province's members, all in the memory budget of ingestion).
ERRORS = "_errors"
_ERROR_BITS = 3
assert max(MISSING, MALFORMED, OUT_OF_RANGE, CHECK_CHARACTER, ID_OLD_FORMAT, ID_AS_NUMBER) < (
    1 << _ERROR_BITS
)

_MALFORMED_REASON = {
    "integer": "not_integer",
    "decimal": "not_decimal",
    "rate": "not_rate",
    "date": "not_date",
    "bool": "not_bool",
    "enum": "not_in_values",
    "enum_list": "not_in_value_list",
    "id_number": "id_format",
    "digits": "not_digits",
}


def lit(value: object) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def err(column: str) -> str:
    """Name of a column's error-code column in the table of bad rows."""
    return ident(f"e:{column}")


def _error_shifts(source: Source) -> dict[str, int]:
    """Bit offset of each checked column's error code in the packed integer."""
    checked = [c.name for c in source.columns if is_checked(c)]
    return {name: _ERROR_BITS * i for i, name in enumerate(checked)}


def _errors_type(source: Source) -> str:
    bits = _ERROR_BITS * len(_error_shifts(source))
    if bits <= 63:
        return "bigint"
    if bits <= 127:
        return "hugeint"
    raise ValueError(f"{source.name}: too many checked columns to pack their errors")


def error_code(source: Source, column: str, alias: str) -> str:
    """SQL for the error code of `column`'s cell in the typed table `alias` (0: no error)."""
    shift = _error_shifts(source)[column]
    return f"(({alias}.{ERRORS} >> {shift}) & {(1 << _ERROR_BITS) - 1})"


def cell_ok(source: Source, column: str, alias: str = "t") -> str:
    """SQL: the cell of `column` in the typed table `alias` broke no cell rule."""
    return f"{error_code(source, column, alias)} = 0"


def flag(reason: str) -> str:
    """Name of a rule's boolean column in the checked table."""
    return ident(f"x:{reason}")


def _in_list(values: Sequence[str]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


def clean_sql(raw: str) -> str:
    """Slow path: full-width → ASCII, white space trimmed, empty → NULL."""
    translated = f"translate({raw}, {lit(_FULL_WIDTH)}, {lit(_HALF_WIDTH)})"
    return f"nullif(trim({translated}, {lit(WHITE_SPACE)}), '')"


def _clean_text_sql(raw: str) -> str:
    return f"nullif(trim({raw}, {lit(WHITE_SPACE)}), '')"


def _first_of(*candidates: str) -> str:
    """The first non-NULL candidate, evaluating a candidate only for rows still NULL.

    (COALESCE evaluates every argument for every row; CASE only for the rows it reaches, and
    the slow paths must stay off the common rows.)
    """
    *head, last = candidates
    branches = " ".join(f"when {c} is not null then {c}" for c in head)
    return f"case {branches} else {last} end"


def _unaliased(column: Column, text: str, otherwise: str) -> str:
    """SQL for `text` through the column's reviewed value aliases; `otherwise` when none."""
    if not column.value_aliases:
        return otherwise
    branches = " ".join(f"when {lit(k)} then {lit(v)}" for k, v in column.value_aliases)
    return f"case {text} {branches} else {otherwise} end"


def value_sql(column: Column, raw: str, config: Config) -> str:
    """SQL for the typed value of `column` from its raw cell `raw`; NULL when it does not parse."""
    x = clean_sql(raw)
    kind = column.type
    if kind == "string":
        edge = (
            f"({raw} = '' or ascii({raw}) in ({_WHITE_SPACE_CODES}) "
            f"or ascii({raw}[-1:]) in ({_WHITE_SPACE_CODES}))"
        )
        return f"case when {edge} then {_clean_text_sql(raw)} else {raw} end"
    if kind == "integer":
        return (
            f"case when regexp_full_match({raw}, '[0-9]{{1,9}}') then cast({raw} as integer) "
            f"when regexp_full_match({x}, '[+-]?[0-9]{{1,9}}(\\.0*)?') "
            f"then try_cast({x} as integer) end"
        )
    if kind == "decimal":
        stripped = x
        for symbol in (",", "元", "￥", "¥"):
            stripped = f"replace({stripped}, {lit(symbol)}, '')"
        return _first_of(
            f"try_cast({raw} as decimal(18,2))", f"try_cast({stripped} as decimal(18,2))"
        )
    if kind == "rate":
        percent = f"trim(rtrim({x}, '%'), {lit(WHITE_SPACE)})"
        return _first_of(
            f"try_cast({raw} as decimal(18,6))",
            f"case when ends_with({x}, '%') then "
            f"try_cast(try_cast({percent} as decimal(18,6)) * 0.01 as decimal(18,6)) end",
        )
    if kind == "date":
        formats = "[" + ", ".join(lit(f) for f in DATE_FORMATS) + "]"
        serial = (
            f"case when regexp_full_match({x}, '[0-9]{{5}}(\\.[0-9]+)?') then "
            f"date {lit(EXCEL_EPOCH)} + cast(floor(cast({x} as double)) as integer) end"
        )
        return _first_of(
            f"try_cast({raw} as date)", f"cast(try_strptime({x}, {formats}) as date)", serial
        )
    if kind == "bool":
        return (
            f"case {raw} when '是' then true when '否' then false else "
            f"case when lower({x}) in {_in_list(config.true_values)} then true "
            f"when lower({x}) in {_in_list(config.false_values)} then false end end"
        )
    if kind == "enum":
        values = _in_list(column.values)
        return (
            f"case when {raw} in {values} then {raw} when {x} in {values} then {x} "
            f"else {_unaliased(column, x, 'null')} end"
        )
    if kind == "enum_list":
        values = "[" + ", ".join(lit(v) for v in column.values) + "]"
        parts = (
            f"list_filter(list_transform(regexp_split_to_array({x}, {lit(_LIST_SEPARATORS)}), "
            f"lambda p: trim(p, {lit(WHITE_SPACE)})), lambda p: p <> '')"
        )
        if column.value_aliases:
            parts = f"list_transform({parts}, lambda p: {_unaliased(column, 'p', 'p')})"
        all_known = f"len(list_filter({parts}, lambda p: not list_contains({values}, p))) = 0"
        return (
            f"case when list_contains({values}, {raw}) then {raw} "
            f"when len({parts}) > 0 and {all_known} "
            f"then array_to_string({parts}, {lit(ENUM_LIST_JOINER)}) end"
        )
    if kind == "id_number":
        upper = f"upper({x})"
        return (
            f"case when regexp_full_match({raw}, '[0-9]{{17}}[0-9X]') then {raw} "
            f"when regexp_full_match({upper}, '[0-9]{{17}}[0-9X]') then {upper} end"
        )
    if kind == "digits":
        pattern = lit(f"[0-9]{{{int(column.length or 0)}}}")
        return (
            f"case when regexp_full_match({raw}, {pattern}) then {raw} "
            f"when regexp_full_match({x}, {pattern}) then {x} end"
        )
    raise ValueError(f"unknown type {kind!r}")


def _range_sql(column: Column, value: str) -> str | None:
    tests = []
    if column.min is not None:
        tests.append(f"{value} < {column.min}")
    if column.max is not None:
        tests.append(f"{value} > {column.max}")
    return " or ".join(tests) or None


def is_checked(column: Column) -> bool:
    """False for optional free text, which no cell rule can break."""
    return column.required or column.type != "string"


def error_sql(column: Column, value: str, raw: str, run_date: date, date_min: date) -> str:
    """SQL for the error code of a cell (NULL when the cell is fine)."""
    missing = str(MISSING) if column.required else "null"
    if not is_checked(column):
        return "null::integer"
    if column.type == "string":
        return f"case when {value} is null then {missing} end"
    blank = f"{raw} is null or {clean_sql(raw)} is null"
    malformed = str(MALFORMED)
    if column.type == "id_number":
        malformed = (
            f"case when regexp_full_match({clean_sql(raw)}, '[0-9]{{15}}') then {ID_OLD_FORMAT} "
            f"when regexp_full_match({clean_sql(raw)}, '[0-9](\\.[0-9]+)?[eE]\\+?[0-9]+') "
            f"then {ID_AS_NUMBER} else {MALFORMED} end"
        )
    branches = [f"when {value} is null then case when {blank} then {missing} else {malformed} end"]
    if column.type in ("integer", "decimal", "rate"):
        out_of_range = _range_sql(column, value)
        if out_of_range:
            branches.append(f"when {out_of_range} then {OUT_OF_RANGE}")
    elif column.type == "date":
        branches.append(
            f"when {value} < date {lit(date_min.isoformat())} "
            f"or {value} > date {lit(run_date.isoformat())} then {OUT_OF_RANGE}"
        )
    elif column.type == "id_number":
        birth = f"substr({value}, 7, 8)"
        branches.append(
            f"when try_strptime({birth}, '%Y%m%d') is null or {birth} < '19000101' "
            f"or {birth} > {lit(run_date.strftime('%Y%m%d'))} then {OUT_OF_RANGE}"
        )
        branches.append(
            f"when right({value}, 1) <> {sql_check_character(value)} then {CHECK_CHARACTER}"
        )
    return "case " + " ".join(branches) + " end"


def _number(value: int | float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def cell_reasons(column: Column, config: Config, run_date: date) -> dict[int, Reason]:
    """Error code → reason for one column."""
    reasons = {MISSING: config.row_reason("required")}
    if column.type == "string":
        return reasons
    values = ENUM_LIST_JOINER.join(column.values)
    reasons[MALFORMED] = config.row_reason(
        _MALFORMED_REASON[column.type], values=values, length=column.length
    )
    if column.type in ("integer", "decimal", "rate"):
        lo, hi = _number(column.min), _number(column.max)
        key = "out_of_range" if lo and hi else "below_min" if lo else "above_max"
        reasons[OUT_OF_RANGE] = config.row_reason(key, min=lo, max=hi)
    elif column.type == "date":
        reasons[OUT_OF_RANGE] = config.row_reason(
            "date_out_of_range", date_min=config.date_min.isoformat(), run_date=run_date.isoformat()
        )
    elif column.type == "id_number":
        reasons[OUT_OF_RANGE] = config.row_reason("id_birth_date")
        reasons[CHECK_CHARACTER] = config.row_reason("id_check_character")
        reasons[ID_OLD_FORMAT] = config.row_reason("id_old_format")
        reasons[ID_AS_NUMBER] = config.row_reason("id_as_number")
    return reasons


def typed_sql(
    source: Source, config: Config, run_date: date, staged: str, files: str, out: str
) -> str:
    """CREATE the typed table `out` of `source` from its staged rows and its files table.

    Columns: _file_id, _row, _rejected (the whole file is rejected), year and county_code for
    survey and ledger sources, per column its typed value, then the error codes of the checked
    cells packed into one integer (`error_code` reads one).
    """
    inner = ", ".join(
        f"{value_sql(c, 's.' + ident(c.name), config)} as {ident(c.name)}, "
        f"s.{ident(c.name)} as {ident('raw:' + c.name)}"
        for c in source.columns
    )
    outer, packed = [], []
    kind, shifts = _errors_type(source), _error_shifts(source)
    for c in source.columns:
        value, raw = "x." + ident(c.name), "x." + ident("raw:" + c.name)
        outer.append(f"{value} as {ident(c.name)}")
        if c.name in shifts:
            code = error_sql(c, value, raw, run_date, config.date_min)
            packed.append(f"(coalesce({code}, 0)::{kind} << {shifts[c.name]})")
    outer.append(f"({' + '.join(packed) or '0'})::{kind} as {ERRORS}")
    unit = "f.year, f.county_code, " if source.per_unit else ""
    if not source.per_month:
        return (
            f"create or replace temp table {out} as "
            f"select x._file_id, x._row, f.rejected as _rejected, {unit}{', '.join(outer)} "
            f"from (select s._file_id, s._row, {inner} from {staged} s) x "
            f"join {files} f on f._file_id = x._file_id"
        )
    match_cte, match_columns, match_join = _match_sql(source)
    return (
        f"create or replace temp table {out} as "
        f"with x as materialized (select s._file_id, s._row, {inner} from {staged} s){match_cte} "
        f"select x._file_id, x._row, f.rejected as _rejected, {', '.join(outer)}{match_columns} "
        f"from x join {files} f on f._file_id = x._file_id{match_join}"
    )


def _match_sql(source: Source) -> tuple[str, str, str]:
    """CTE, columns and join giving a monthly record its department, month and household (§3.6).

    An ID number finds the member row of the latest loaded survey whose year is at most the
    year of the record's date; (year, id_number) is unique in raw.members. A hash join from
    the records (the smaller side) and one aggregate: an ASOF join would sort every member
    row for every source.
    """
    head = f", {lit(source.department)} as department, f.record_month"
    match = source.match
    if match is None or match.key == "household_id":
        survey_year = "null::integer as match_survey_year"
        household = "" if match is not None else ", null::varchar as household_id"
        return "", f"{head}{household}, {survey_year}", ""
    cte = (
        ", member_match as (select x._file_id, x._row, "
        "arg_max(m.household_id, m.year) as household_id, max(m.year) as survey_year "
        f"from x join raw.members m on m.id_number = x.{ident(match.key)} "
        f"and m.year <= year(x.{ident(match.date)}) group by x._file_id, x._row)"
    )
    join = (
        " left join member_match on member_match._file_id = x._file_id "
        "and member_match._row = x._row"
    )
    columns = f"{head}, member_match.household_id, member_match.survey_year as match_survey_year"
    return cte, columns, join


@dataclass(frozen=True)
class RowRule:
    """A rule across rows or tables: the reason key, the column it blames, its SQL test on `t`."""

    reason: str
    column: str
    test: str


@dataclass(frozen=True)
class CrossRules:
    """The joins a source's rules need (aliases other than `t`) and the rules, in order."""

    joins: tuple[str, ...]
    rules: tuple[RowRule, ...]


# the sources whose rows find their household of the same survey year by its household_id
# (`_household_parent`); with the unique keys, the rules that compare rows of different files
HOUSEHOLD_CHILDREN = ("members", "income")


def household_status_sql(typed_households: str, bad_households: str, out: str) -> str:
    """CREATE `out` (year, household_id, loaded): every household id read, and whether it loaded."""
    return (
        f"create or replace temp table {out} as "
        "select t.year, t.household_id, bool_and(b._row is null) as loaded "
        f"from {typed_households} t left join {bad_households} b "
        "on b._file_id = t._file_id and b._row = t._row "
        "where t.household_id is not null group by all"
    )


def _household_parent(household_status: str) -> CrossRules:
    """Members and income rows need a loaded household of the same survey year."""
    joins = (
        f"left join {household_status} hs on hs.year = t.year and hs.household_id = t.household_id",
    )
    rules = (
        RowRule(
            "household_quarantined",
            "household_id",
            "t.household_id is not null and not hs.loaded",
        ),
        RowRule(
            "household_unknown_in_year",
            "household_id",
            "t.household_id is not null and hs.household_id is null",
        ),
    )
    return CrossRules(joins, rules)


_LOADED_HOUSEHOLD = CrossRules(
    (
        "left join (select distinct household_id from raw.households) hh "
        "on hh.household_id = t.household_id",
    ),
    (
        RowRule(
            "household_unknown",
            "household_id",
            "t.household_id is not null and hh.household_id is null",
        ),
    ),
)

# the level a 12-digit code has by its shape: PP0000000000, PPCC00000000, … VVV ≠ 000
_LEVEL_OF_CODE = (
    "case when substr(t.region_code, 3) = '0000000000' then 'province' "
    "when substr(t.region_code, 5) = '00000000' then 'city' "
    "when substr(t.region_code, 7) = '000000' then 'county' "
    "when substr(t.region_code, 10) = '000' then 'township' else 'village' end"
)


def cross_rules(source: Source, typed: dict[str, str]) -> CrossRules:
    """The rules across rows and tables of `source`; `typed` names the typed tables by source."""
    name = source.name
    if name == "regions":
        below = "t.level is not null and t.level <> 'province' and t.parent_code"
        return CrossRules(
            (
                f"left join (select distinct region_code from {typed['regions']} "
                "where region_code is not null) parent on parent.region_code = t.parent_code",
            ),
            (
                RowRule("region_level_mismatch", "level", f"t.level <> {_LEVEL_OF_CODE}"),
                RowRule(
                    "region_parent_missing",
                    "parent_code",
                    f"{below} is null and {cell_ok(source, 'parent_code')}",
                ),
                RowRule(
                    "region_parent_unknown",
                    "parent_code",
                    f"{below} is not null and parent.region_code is null",
                ),
            ),
        )
    if name == "households":
        member_rows = (
            f"left join (select year, county_code, household_id, count(*) as n "
            f"from {typed['members']} where household_id is not null group by all) member_rows "
            "on member_rows.year = t.year and member_rows.county_code = t.county_code "
            "and member_rows.household_id = t.household_id"
        )
        return CrossRules(
            (
                "left join (select region_code from raw.regions where level = 'village') village "
                "on village.region_code = t.village_code",
                member_rows,
            ),
            (
                RowRule(
                    "village_unknown",
                    "village_code",
                    "t.village_code is not null and village.region_code is null",
                ),
                RowRule(
                    "village_outside_county",
                    "village_code",
                    "village.region_code is not null and left(t.village_code, 6) <> t.county_code",
                ),
                RowRule(
                    "survey_date_outside_year",
                    "survey_date",
                    f"{cell_ok(source, 'survey_date')} and t.survey_date not between "
                    "make_date(t.year, 1, 1) and make_date(t.year + 1, 3, 31)",
                ),
                RowRule(
                    "household_size_mismatch",
                    "household_size",
                    f"{cell_ok(source, 'household_size')} "
                    "and t.household_size <> coalesce(member_rows.n, 0)",
                ),
            ),
        )
    if name == "members":
        return _household_parent(typed["household_status"])
    if name == "income":
        parent = _household_parent(typed["household_status"])
        parts = " + ".join(
            f"coalesce(t.{c}, 0)"
            for c in ("transfer_dibao", "transfer_tekun", "transfer_pension", "transfer_eco")
        )
        return CrossRules(
            parent.joins,
            (
                RowRule(
                    "income_year_mismatch",
                    "income_year",
                    f"{cell_ok(source, 'income_year')} and t.income_year <> t.year",
                ),
                *parent.rules,
                RowRule(
                    "transfer_parts_exceed_total",
                    "transfer_income",
                    f"{cell_ok(source, 'transfer_income')} and {parts} > t.transfer_income",
                ),
            ),
        )
    if name == "monitoring_episodes":
        return CrossRules(
            _LOADED_HOUSEHOLD.joins,
            (
                *_LOADED_HOUSEHOLD.rules,
                RowRule(
                    "identified_before_found",
                    "identified_date",
                    "t.identified_date < t.risk_found_date",
                ),
                RowRule(
                    "eliminated_before_identified",
                    "eliminated_date",
                    "t.eliminated_date < t.identified_date",
                ),
            ),
        )
    if name == "measures":
        return CrossRules(
            _LOADED_HOUSEHOLD.joins,
            (
                *_LOADED_HOUSEHOLD.rules,
                RowRule("end_before_start", "end_date", "t.end_date < t.start_date"),
            ),
        )
    matched = _record_match_rules(source)
    if name == "sector_medical":
        return CrossRules(
            matched.joins,
            (
                *matched.rules,
                RowRule("self_pay_exceeds_total", "self_pay", "t.self_pay > t.total_cost"),
            ),
        )
    if name == "applications":
        return CrossRules(
            matched.joins,
            (
                *matched.rules,
                RowRule("closed_before_applied", "closed_date", "t.closed_date < t.applied_date"),
            ),
        )
    return matched


def _record_match_rules(source: Source) -> CrossRules:
    """A sector record or application must belong to a household (SPEC §3.6)."""
    match = source.match
    if match is None:
        return CrossRules((), ())
    if match.key == "household_id":
        (rule,) = _LOADED_HOUSEHOLD.rules
        return CrossRules(_LOADED_HOUSEHOLD.joins, (RowRule(match.reason, rule.column, rule.test),))
    # only a valid ID number and date can be looked up; their own errors say enough otherwise
    test = (
        f"t.{ident(match.key)} is not null and {cell_ok(source, match.key)} "
        f"and {cell_ok(source, match.date)} and t.household_id is null"
    )
    return CrossRules((), (RowRule(match.reason, match.key, test),))


def repeated_keys_sql(relation: str, columns: Sequence[str], where: str) -> str:
    """SELECT the values of `columns` (SQL expressions) that more than one row of `relation`
    satisfying `where` has, and `n`, how many rows have them.

    Rows whose key repeats have equal hashes of it, so the exact aggregate only sees the rows
    whose hash repeats: the aggregate of every row is one of 64-bit hashes, several times
    cheaper than one of the keys (an ID number and a year in each of a province's members) and
    spilling far less.
    """
    keys = ", ".join(columns)
    repeated_hashes = (
        f"select hash({keys}) from {relation} where {where} group by all having count(*) > 1"
    )
    return (
        f"select {keys}, count(*) as n from {relation} "
        f"where {where} and hash({keys}) in ({repeated_hashes}) "
        f"group by {keys} having count(*) > 1"
    )


def _unique_rules(source: Source, typed: str) -> CrossRules:
    joins, rules = [], []
    for i, rule in enumerate(source.unique):
        alias = f"dup{i}"
        cols = [ident(c) for c in rule.columns]
        not_null = " and ".join(f"{c} is not null" for c in cols)
        on = " and ".join(f"{alias}.{c} = t.{c}" for c in cols)
        joins.append(f"left join ({repeated_keys_sql(typed, cols, not_null)}) {alias} on {on}")
        # the path's year and county are not cells of the row; blame the row's own columns
        own = [c for c in rule.columns if not (source.per_unit and c in PATH_COLUMNS)]
        column = "; ".join(own or rule.columns)
        rules.append(RowRule(rule.reason, column, f"{alias}.{cols[0]} is not null"))
    return CrossRules(tuple(joins), tuple(rules))


def all_row_rules(source: Source, typed: dict[str, str]) -> CrossRules:
    """Repeated keys, then the rules across rows and tables."""
    unique = _unique_rules(source, typed[source.name])
    cross = cross_rules(source, typed)
    return CrossRules(unique.joins + cross.joins, unique.rules + cross.rules)


# regions whose parent (or an ancestor) is quarantined are quarantined too, found top down
REGION_PARENT_QUARANTINED = RowRule("region_parent_quarantined", "parent_code", "")


def bad_rows_sql(
    source: Source, typed: dict[str, str], out: str
) -> tuple[str, tuple[RowRule, ...]]:
    """CREATE `out`: the rows of the typed table that break a rule, with every error and flag.

    Only the bad rows are kept (a few out of millions): the good ones are loaded straight from
    the typed table by an anti-join on (_file_id, _row).
    """
    rules = all_row_rules(source, typed)
    checked = [c for c in source.columns if is_checked(c)]
    codes = [
        f"nullif({error_code(source, c.name, 't')}, 0)::integer as {err(c.name)}" for c in checked
    ]
    columns = ["t._file_id", "t._row", "t._rejected", f"t.{ERRORS}", *codes]
    columns += [f"coalesce({r.test}, false) as {flag(r.reason)}" for r in rules.rules]
    rule_list = rules.rules
    if source.name == "regions":
        columns.append(f"false as {flag(REGION_PARENT_QUARANTINED.reason)}")
        rule_list = (*rule_list, REGION_PARENT_QUARANTINED)
    tests = ["_rejected", f"{ERRORS} <> 0"]
    tests += [flag(r.reason) for r in rules.rules]
    joins = " ".join(rules.joins)
    sql = (
        f"create or replace temp table {out} as select * from ("
        f"select {', '.join(columns)} from {typed[source.name]} t {joins}) "
        f"where {' or '.join(tests)}"
    )
    return sql, rule_list


def region_parent_sql(typed: str, bad: str) -> list[str]:
    """Statements adding to `bad` the regions below a quarantined (or unreachable) parent."""
    good = (
        f"select t.* from {typed} t "
        f"anti join {bad} b on b._file_id = t._file_id and b._row = t._row"
    )
    return [
        "create or replace temp table regions_reachable as "
        f"with recursive sound as ({good}), reachable(region_code) as ("
        "  select region_code from sound where level = 'province'"
        "  union"
        "  select s.region_code from sound s join reachable r on s.parent_code = r.region_code"
        "  where s.level <> 'province'"
        ") select region_code from reachable",
        f"insert into {bad} (_file_id, _row, _rejected, "
        f"{flag(REGION_PARENT_QUARANTINED.reason)}) "
        f"select _file_id, _row, false, true from ({good}) t "
        "where t.level <> 'province' "
        "and t.region_code not in (select region_code from regions_reachable)",
    ]


def reasons_sql(
    source: Source,
    rules: Sequence[RowRule],
    config: Config,
    run_date: date,
    alias: str,
) -> tuple[str, str, str]:
    """SQL for a bad row's column_name, reason_zh and reason_en (rules joined by '; ')."""
    names, zh, en = [], [], []
    for c in source.columns:
        if not is_checked(c):
            continue
        e = f"{alias}.{err(c.name)}"
        names.append(f"case when {e} is not null then {lit(c.name)} end")
        reasons = cell_reasons(c, config, run_date)
        zh.append(
            f"case {e} "
            + " ".join(f"when {k} then {lit(r.zh)}" for k, r in reasons.items())
            + " end"
        )
        en.append(
            f"case {e} "
            + " ".join(f"when {k} then {lit(r.en)}" for k, r in reasons.items())
            + " end"
        )
    for r in rules:
        f = f"{alias}.{flag(r.reason)}"
        reason = config.row_reason(r.reason)
        names.append(f"case when {f} then {lit(r.column)} end")
        zh.append(f"case when {f} then {lit(reason.zh)} end")
        en.append(f"case when {f} then {lit(reason.en)} end")
    return tuple(f"concat_ws('; ', {', '.join(parts)})" for parts in (names, zh, en))  # type: ignore[return-value]
