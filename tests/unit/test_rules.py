"""Cell rules (types and constraints of sources.yaml) as the SQL the row checks run."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import duckdb
import pytest

from ingestion.config import Column, load_config
from ingestion.idnumber import check_character, sql_check_character
from ingestion.rules import cell_reasons, error_sql, value_sql

RUN_DATE = date(2024, 6, 30)


@pytest.fixture(scope="module")
def config():
    return load_config()


def check(config, column: Column, cells: list[str | None]) -> list[tuple[object, str | None]]:
    """(typed value, English reason or None) for each cell, as the row rules compute them."""
    reasons = cell_reasons(column, config, RUN_DATE)
    with duckdb.connect() as con:
        con.execute("create table cells (n integer, raw varchar)")
        con.executemany("insert into cells values (?, ?)", list(enumerate(cells)))
        value = value_sql(column, "raw", config)
        error = error_sql(column, "v", "raw", RUN_DATE, config.date_min)
        rows = con.execute(
            f"select v, {error} from (select n, raw, {value} as v from cells) order by n"
        ).fetchall()
    return [(v, reasons[e].en if e is not None else None) for v, e in rows]


def values_of(results: list[tuple[object, str | None]]) -> list[object]:
    assert [reason for _, reason in results] == [None] * len(results), results
    return [value for value, _ in results]


def reasons_of(results: list[tuple[object, str | None]]) -> list[str | None]:
    return [reason for _, reason in results]


def column(config, source: str, name: str) -> Column:
    return config.sources[source].column(name)


def valid_id(first17: str) -> str:
    return first17 + check_character(first17)


# -- integer ------------------------------------------------------------------------------


def test_integer_accepts_whole_numbers_written_any_way(config) -> None:
    size = column(config, "households", "household_size")
    assert values_of(check(config, size, ["3", "3.0", "３", " 3 ", "+3", "\u30003"])) == [3] * 6


def test_integer_rejects_fractions_and_text(config) -> None:
    size = column(config, "households", "household_size")
    assert reasons_of(check(config, size, ["3.5", "三", "1e3"])) == ["not a whole number"] * 3


def test_integer_outside_min_and_max_is_an_error(config) -> None:
    size = column(config, "households", "household_size")
    assert reasons_of(check(config, size, ["0", "31", "30"])) == [
        "outside the range 1–30",
        "outside the range 1–30",
        None,
    ]


def test_empty_required_cell_is_an_error_and_empty_optional_cell_is_null(config) -> None:
    size = column(config, "households", "household_size")
    assert (
        reasons_of(check(config, size, [None, "", "  ", "\u3000"]))
        == ["required value is missing"] * 4
    )
    dibao = column(config, "income", "transfer_dibao")
    assert check(config, dibao, [None, " "]) == [(None, None), (None, None)]


# -- decimal and rate ---------------------------------------------------------------------


def test_decimal_accepts_thousands_separators_currency_and_yuan(config) -> None:
    wage = column(config, "income", "wage_income")
    assert values_of(check(config, wage, ["1,234.5", "1234元", "￥12", "１２３", "0"])) == [
        Decimal("1234.50"),
        Decimal("1234.00"),
        Decimal("12.00"),
        Decimal("123.00"),
        Decimal("0.00"),
    ]


def test_negative_amount_is_rejected_where_min_is_zero(config) -> None:
    wage = column(config, "income", "wage_income")
    assert check(config, wage, ["-5"]) == [(Decimal("-5.00"), "less than 0")]


def test_negative_amount_is_kept_where_no_min(config) -> None:
    reported = column(config, "income", "reported_net_income")
    assert values_of(check(config, reported, ["-1,500"])) == [Decimal("-1500.00")]


def test_decimal_rejects_text(config) -> None:
    wage = column(config, "income", "wage_income")
    assert reasons_of(check(config, wage, ["一千", "12..5"])) == ["not a valid amount"] * 2


def test_rate_accepts_fractions_and_percentages(config) -> None:
    growth = column(config, "rural_growth", "growth")
    assert values_of(check(config, growth, ["0.085", "8.5%", "-1.2 %"])) == [
        Decimal("0.085000"),
        Decimal("0.085000"),
        Decimal("-0.012000"),
    ]


# -- date ---------------------------------------------------------------------------------


def test_date_accepts_the_usual_spellings_and_excel_serials(config) -> None:
    survey_date = column(config, "households", "survey_date")
    cells = [
        "2023-01-05",
        "2023/1/5",
        "2023.01.05",
        "20230105",
        "2023年1月5日",
        "2023-01-05 10:30:00",
        "２０２３－０１－０５",
        "44931",
    ]
    assert values_of(check(config, survey_date, cells)) == [date(2023, 1, 5)] * len(cells)


def test_impossible_date_is_an_error(config) -> None:
    survey_date = column(config, "households", "survey_date")
    assert (
        reasons_of(check(config, survey_date, ["2023-02-30", "昨天", "2023-13-01"]))
        == ["not a valid date"] * 3
    )


def test_date_before_2014_or_after_the_run_date_is_an_error(config) -> None:
    survey_date = column(config, "households", "survey_date")
    reason = "date not between 2014-01-01 and 2024-06-30"
    assert reasons_of(check(config, survey_date, ["2013-12-31", "2024-07-01", "2024-06-30"])) == [
        reason,
        reason,
        None,
    ]


# -- bool, enum, enum_list ----------------------------------------------------------------


def test_bool_accepts_shi_fou_and_english_spellings(config) -> None:
    alleviated = column(config, "households", "is_alleviated")
    cells = ["是", "否", "Y", "n", "yes", "NO", "true", "FALSE", "1", "0", " 是 "]
    expected = [True, False, True, False, True, False, True, False, True, False, True]
    assert values_of(check(config, alleviated, cells)) == expected


def test_bool_rejects_other_words(config) -> None:
    alleviated = column(config, "households", "is_alleviated")
    assert (
        reasons_of(check(config, alleviated, ["对", "2"])) == ["must be 是 or 否 (yes or no)"] * 2
    )


def test_enum_is_exact_after_trimming_and_full_width(config) -> None:
    health = column(config, "members", "health")
    results = check(config, health, ["健康", " 残疾\u3000", "健康的", "患大病"])
    assert [v for v, _ in results[:2]] == ["健康", "残疾"]
    assert (
        reasons_of(results[2:])
        == ["not one of the allowed values (健康、长期慢性病、患有大病、残疾)"] * 2
    )


def test_enum_values_can_come_from_a_seed(config) -> None:
    category = column(config, "monitoring_episodes", "category")
    assert values_of(check(config, category, ["边缘易致贫户"])) == ["边缘易致贫户"]
    assert reasons_of(check(config, category, ["边缘户"]))[0].startswith("not one of")


def test_enum_list_is_split_on_any_separator_and_joined_by_dunhao(config) -> None:
    risk_types = column(config, "monitoring_episodes", "risk_types")
    assert values_of(
        check(config, risk_types, ["因病", "因病，因残", "因病; 因灾 ", "因学、"])
    ) == [
        "因病",
        "因病、因残",
        "因病、因灾",
        "因学",
    ]


def test_enum_list_accepts_values_on_separate_lines_of_a_cell(config) -> None:
    risk_types = column(config, "monitoring_episodes", "risk_types")
    assert values_of(check(config, risk_types, ["因病\n因残", "因病 因学"])) == [
        "因病、因残",
        "因病、因学",
    ]


def test_enum_list_with_an_unknown_value_is_an_error(config) -> None:
    risk_types = column(config, "monitoring_episodes", "risk_types")
    reasons = reasons_of(check(config, risk_types, ["因病、因穷", "、"]))
    assert all(r is not None and r.startswith("holds a value outside") for r in reasons)


# -- id_number and digits -----------------------------------------------------------------


def test_valid_id_number_passes_and_lower_case_x_is_normalised(config) -> None:
    id_number = column(config, "members", "id_number")
    with_x = next(
        f"53010219800101{n:03d}"
        for n in range(1000)
        if check_character(f"53010219800101{n:03d}") == "X"
    )
    plain = valid_id("53010219800101001")
    assert values_of(check(config, id_number, [plain, with_x + "x", f" {plain} "])) == [
        plain,
        with_x + "X",
        plain,
    ]


def test_bad_id_checksum_is_an_error(config) -> None:
    id_number = column(config, "members", "id_number")
    good = valid_id("53010219800101001")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert check(config, id_number, [bad]) == [(bad, "ID number check character is wrong")]


def test_sql_check_character_agrees_with_the_python_one() -> None:
    rng = random.Random(11643)
    numbers = ["00000000000000000", "99999999999999999", "00000000000000001"]
    numbers += ["".join(rng.choice("0123456789") for _ in range(17)) for _ in range(5000)]
    expected = [check_character(n) for n in numbers]
    assert set(expected) == set("10X98765432")  # every check character is exercised
    with duckdb.connect() as con:
        con.execute("create table ids (n integer, id varchar)")
        con.executemany("insert into ids values (?, ?)", list(enumerate(numbers)))
        got = con.execute(f"select {sql_check_character('id')} from ids order by n").fetchall()
    assert [c for (c,) in got] == expected


def test_id_with_impossible_or_future_birth_date_is_an_error(config) -> None:
    id_number = column(config, "members", "id_number")
    cells = [valid_id("53010219800230001"), valid_id("53010220300101001")]
    assert (
        reasons_of(check(config, id_number, cells))
        == ["birth date in the ID number is not a valid date"] * 2
    )


def test_id_of_wrong_shape_is_an_error(config) -> None:
    id_number = column(config, "members", "id_number")
    cells = ["53010219800101001", "5301021980010100123", "53010219800101A01X"]
    assert (
        reasons_of(check(config, id_number, cells))
        == ["ID number must be 17 digits and a check character"] * 3
    )


def test_digits_need_exactly_their_length(config) -> None:
    village = column(config, "households", "village_code")
    results = check(config, village, ["530102001001", "５３０１０２００１００１", "53010200100"])
    assert [v for v, _ in results[:2]] == ["530102001001"] * 2
    assert reasons_of(results[2:]) == ["must be exactly 12 digits"]


def test_string_is_trimmed_and_blank_is_missing(config) -> None:
    name = column(config, "members", "name")
    assert check(config, name, ["\u3000张三 ", "李 四", "  "]) == [
        ("张三", None),
        ("李 四", None),
        (None, "required value is missing"),
    ]
