"""The bad-input corpus, row rules: ID numbers, households and their members, income, dates,
measures, monitoring episodes and their values (SPEC §3.1–3.5, §3.8).

The machinery, and how a case reads, are in test_bad_inputs.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ingestion.config import Reason
from tests.unit.landing import EPISODE_HEADER, MEASURE_HEADER, RUN_DATE, write_csv
from tests.unit.test_bad_inputs import (
    CONFIG,
    CONTROL_COUNTY,
    Case,
    Corpus,
    Expected,
    Unit,
    assert_outcome,
    assert_run,
    catalogue,
    ep,
    hh,
    in_raw,
    inc,
    loaded,
    mem,
    ms,
    q,
    row_reason,
    run_corpus,
)

CASES: list[Case] = []
case = catalogue(CASES)


IDS = "ID numbers (SPEC §3.8)"


def _bad_member(u: Unit, reason: Reason, id_cell: str, column: str = "id_number") -> Expected:
    """Household 1 with a good member (row 2) and a member whose 身份证号 is `id_cell` (row 3)."""
    u.survey([hh(u, 1, size=2)], [mem(u, 1, 1), mem(u, 1, 2, 身份证号=id_cell)])
    return Expected(
        [loaded(u.members_csv(), "members", 2, 1)], [q(u.members_csv(), 3, column, reason)]
    )


@case(
    IDS,
    "ID number with a bad check character",
    "the 18th character off by one",
    "quarantined",
    row_reason("id_check_character"),
)
def id_bad_check_character(u: Unit) -> Expected:
    good = u.person(2)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    return _bad_member(u, row_reason("id_check_character"), bad)


@case(IDS, "ID number ending in lower-case x", "…123x (accepted, stored as …123X)", "loaded")
def id_lower_case_x(u: Unit) -> Expected:
    seq = next(s for s in range(1, 999) if u.person(s).endswith("X"))
    u.survey([hh(u, 1)], [mem(u, 1, seq, 身份证号=u.person(seq).lower())])
    return Expected(
        [loaded(u.members_csv(), "members", 1)],
        check=in_raw("members", "id_number", [(u.person(seq),)], household_id=u.hid(1)),
    )


@case(
    IDS,
    "ID number in the old 15-digit form",
    "530101800101001",
    "quarantined",
    row_reason("id_old_format"),
)
def id_fifteen_digits(u: Unit) -> Expected:
    return _bad_member(u, row_reason("id_old_format"), f"{u.county}800101002")


@case(
    IDS,
    "ID number with an impossible birth date",
    "birth date 19990231",
    "quarantined",
    row_reason("id_birth_date"),
)
def id_impossible_birth_date(u: Unit) -> Expected:
    return _bad_member(u, row_reason("id_birth_date"), u.person(2, birth="19990231"))


@case(
    IDS,
    "ID number in scientific notation",
    "`5.30101E+17` in a CSV saved from Excel",
    "quarantined",
    row_reason("id_as_number"),
)
def id_in_scientific_notation(u: Unit) -> Expected:
    return _bad_member(u, row_reason("id_as_number"), "5.30101E+17")


@case(
    IDS,
    "ID number twice in a survey year",
    "the same 身份证号 for members of two households",
    "quarantined",
    row_reason("duplicate_member"),
)
def id_twice_in_a_year(u: Unit) -> Expected:
    u.survey([hh(u, 1), hh(u, 2)], [mem(u, 1, 1), mem(u, 2, 1)])
    reason = row_reason("duplicate_member")
    return Expected(
        [loaded(u.members_csv(), "members", 2, 2)],
        [q(u.members_csv(), 2, "id_number", reason), q(u.members_csv(), 3, "id_number", reason)],
    )


HOUSEHOLDS = "Households and their members (SPEC §3.1, §3.2)"


def _bad_household(u: Unit, column: str, *reasons: Reason, **cells: str) -> Expected:
    """Household 1 (row 2) with `cells`, its member and income row quarantined after it."""
    u.survey([hh(u, 1, **cells)], [mem(u, 1, 1)], [inc(u, 1)])
    parent = row_reason("household_quarantined")
    return Expected(
        [
            loaded(u.households_csv(), "households", 1, 1),
            loaded(u.members_csv(), "members", 1, 1),
            loaded(u.income_csv(), "income", 1, 1),
        ],
        [
            q(u.households_csv(), 2, column, *reasons),
            q(u.members_csv(), 2, "household_id", parent),
            q(u.income_csv(), 2, "household_id", parent),
        ],
    )


@case(
    HOUSEHOLDS,
    "unknown village code",
    "行政区划代码 `<county>001999` (no such village)",
    "quarantined",
    row_reason("village_unknown"),
)
def village_unknown(u: Unit) -> Expected:
    return _bad_household(
        u, "village_code", row_reason("village_unknown"), 行政区划代码=f"{u.county}001999"
    )


@case(
    HOUSEHOLDS,
    "village code of a township",
    "行政区划代码 `<county>001000`, a township",
    "quarantined",
    row_reason("village_unknown"),
)
def village_code_of_a_township(u: Unit) -> Expected:
    return _bad_household(u, "village_code", row_reason("village_unknown"), 行政区划代码=u.township)


@case(
    HOUSEHOLDS,
    "village of another county",
    "a village of county 530199 in the file of another county",
    "quarantined",
    row_reason("village_outside_county"),
)
def village_of_another_county(u: Unit) -> Expected:
    return _bad_household(
        u,
        "village_code",
        row_reason("village_outside_county"),
        行政区划代码=f"{CONTROL_COUNTY}001001",
    )


@case(
    HOUSEHOLDS,
    "village code of 11 digits",
    "行政区划代码 53010100100 (a digit lost)",
    "quarantined",
    row_reason("not_digits", length=12),
)
def village_code_too_short(u: Unit) -> Expected:
    return _bad_household(
        u, "village_code", row_reason("not_digits", length=12), 行政区划代码=u.village[:-1]
    )


@case(
    HOUSEHOLDS,
    "household size 0",
    "家庭人口数 0",
    "quarantined",
    row_reason("out_of_range", min="1", max="30"),
)
def household_size_zero(u: Unit) -> Expected:
    return _bad_household(
        u, "household_size", row_reason("out_of_range", min="1", max="30"), 家庭人口数="0"
    )


@case(
    HOUSEHOLDS,
    "household size not matching its members",
    "家庭人口数 3 with two member rows",
    "quarantined",
    row_reason("household_size_mismatch"),
)
def household_size_mismatch(u: Unit) -> Expected:
    u.survey([hh(u, 1, size=3)], [mem(u, 1, 1), mem(u, 1, 2)], [inc(u, 1)])
    parent = row_reason("household_quarantined")
    return Expected(
        [
            loaded(u.households_csv(), "households", 1, 1),
            loaded(u.members_csv(), "members", 2, 2),
            loaded(u.income_csv(), "income", 1, 1),
        ],
        [
            q(u.households_csv(), 2, "household_size", row_reason("household_size_mismatch")),
            q(u.members_csv(), 2, "household_id", parent),
            q(u.members_csv(), 3, "household_id", parent),
            q(u.income_csv(), 2, "household_id", parent),
        ],
    )


@case(
    HOUSEHOLDS,
    "household twice in a survey year",
    "the same 户编号 on two rows of households.csv",
    "quarantined",
    row_reason("duplicate_household"),
)
def household_twice_in_a_year(u: Unit) -> Expected:
    u.survey([hh(u, 1, size=2), hh(u, 1, size=2)], [mem(u, 1, 1), mem(u, 1, 2)])
    duplicate, parent = row_reason("duplicate_household"), row_reason("household_quarantined")
    return Expected(
        [loaded(u.households_csv(), "households", 2, 2), loaded(u.members_csv(), "members", 2, 2)],
        [
            q(u.households_csv(), 2, "household_id", duplicate),
            q(u.households_csv(), 3, "household_id", duplicate),
            q(u.members_csv(), 2, "household_id", parent),
            q(u.members_csv(), 3, "household_id", parent),
        ],
    )


@case(
    HOUSEHOLDS,
    "member of an unknown household",
    "a member row whose 户编号 is not in households.csv",
    "quarantined",
    row_reason("household_unknown_in_year"),
)
def member_of_unknown_household(u: Unit) -> Expected:
    u.survey([hh(u, 1)], [mem(u, 1, 1), mem(u, 9, 2)])
    return Expected(
        [loaded(u.members_csv(), "members", 2, 1)],
        [q(u.members_csv(), 3, "household_id", row_reason("household_unknown_in_year"))],
    )


@case(
    HOUSEHOLDS,
    "member of a quarantined household",
    "是否脱贫户 `可能`: the household row, its member and its income row are quarantined",
    "quarantined",
    row_reason("household_quarantined"),
)
def member_of_quarantined_household(u: Unit) -> Expected:
    return _bad_household(u, "is_alleviated", row_reason("not_bool"), 是否脱贫户="可能")


@case(
    HOUSEHOLDS, "required cell empty", "户主姓名 left empty", "quarantined", row_reason("required")
)
def required_cell_empty(u: Unit) -> Expected:
    return _bad_household(u, "head_name", row_reason("required"), 户主姓名="")


@case(
    HOUSEHOLDS,
    "several errors in one row",
    "户主身份证号 with a bad check character and 饮水安全 `有`",
    "quarantined",
    row_reason("id_check_character"),
)
def several_errors_in_one_row(u: Unit) -> Expected:
    head = u.person(50)
    bad = head[:17] + ("1" if head[17] != "1" else "2")
    u.survey([hh(u, 1, 户主身份证号=bad, 饮水安全="有")], [mem(u, 1, 1)])
    return Expected(
        [loaded(u.households_csv(), "households", 1, 1), loaded(u.members_csv(), "members", 1, 1)],
        [
            q(
                u.households_csv(), 2, "head_id_number; water_safe",
                row_reason("id_check_character"), row_reason("not_bool"),
            ),
            q(u.members_csv(), 2, "household_id", row_reason("household_quarantined")),
        ],
    )  # fmt: skip


@case(
    HOUSEHOLDS,
    "survey date outside the survey year",
    "采集日期 2024-04-01 in the 2023 survey",
    "quarantined",
    row_reason("survey_date_outside_year"),
)
def survey_date_outside_year(u: Unit) -> Expected:
    return _bad_household(
        u, "survey_date", row_reason("survey_date_outside_year"), 采集日期="2024-04-01"
    )


INCOME = "Income (SPEC §3.3)"


def _bad_income(u: Unit, column: str, reason: Reason, **cells: str) -> Expected:
    u.survey([hh(u, 1)], [mem(u, 1, 1)], [inc(u, 1, **cells)])
    return Expected(
        [loaded(u.income_csv(), "income", 1, 1)], [q(u.income_csv(), 2, column, reason)]
    )


@case(INCOME, "negative amount", "工资性收入 -100", "quarantined", row_reason("below_min", min="0"))
def negative_amount(u: Unit) -> Expected:
    return _bad_income(u, "wage_income", row_reason("below_min", min="0"), 工资性收入="-100")


@case(INCOME, "amount as words", "工资性收入 `约3000`", "quarantined", row_reason("not_decimal"))
def amount_as_words(u: Unit) -> Expected:
    return _bad_income(u, "wage_income", row_reason("not_decimal"), 工资性收入="约3000")


@case(
    INCOME,
    "amount with thousands separators, 元 or ￥",
    "`12,000元`, `￥1,500.50`, full-width `３００`",
    "loaded",
)
def amount_with_separators_and_yuan(u: Unit) -> Expected:
    cells = {"工资性收入": "12,000元", "转移性收入": "￥1,500.50", "其中：低保金": "３００"}
    u.survey([hh(u, 1)], [mem(u, 1, 1)], [inc(u, 1, **cells)])
    expected = [(Decimal("12000"), Decimal("1500.50"), Decimal("300"))]
    return Expected(
        [loaded(u.income_csv(), "income", 1)],
        check=in_raw(
            "income",
            "wage_income, transfer_income, transfer_dibao",
            expected,
            household_id=u.hid(1),
        ),
    )


@case(
    INCOME,
    "transfer parts exceeding the total",
    "转移性收入 299 with 其中：低保金 300",
    "quarantined",
    row_reason("transfer_parts_exceed_total"),
)
def transfer_parts_exceed_total(u: Unit) -> Expected:
    cells = {"转移性收入": "299", "其中：低保金": "300"}
    return _bad_income(u, "transfer_income", row_reason("transfer_parts_exceed_total"), **cells)


@case(
    INCOME,
    "income year not the path's",
    "年度 2022 in survey/2023/",
    "quarantined",
    row_reason("income_year_mismatch"),
)
def income_year_mismatch(u: Unit) -> Expected:
    return _bad_income(u, "income_year", row_reason("income_year_mismatch"), 年度="2022")


MEASURES = "Dates and measures (SPEC §3.5)"


DATE_RANGE = row_reason("date_out_of_range", date_min="2014-01-01", run_date=RUN_DATE.isoformat())


def _bad_measure(u: Unit, column: str, reason: Reason, **cells: str) -> Expected:
    u.households()
    write_csv(u.path(u.measures()), MEASURE_HEADER, [ms(u, 1, 1), ms(u, 2, 1, **cells)])
    return Expected([loaded(u.measures(), "measures", 2, 1)], [q(u.measures(), 3, column, reason)])


@case(MEASURES, "date before 2014", "开始日期 2013-12-31", "quarantined", DATE_RANGE)
def date_before_2014(u: Unit) -> Expected:
    return _bad_measure(u, "start_date", DATE_RANGE, 开始日期="2013-12-31")


@case(
    MEASURES, "date in the future", "开始日期 the day after the run date", "quarantined", DATE_RANGE
)
def date_in_the_future(u: Unit) -> Expected:
    return _bad_measure(u, "start_date", DATE_RANGE, 开始日期="2024-07-01")


@case(MEASURES, "impossible date", "开始日期 2023-02-30", "quarantined", row_reason("not_date"))
def impossible_date(u: Unit) -> Expected:
    return _bad_measure(u, "start_date", row_reason("not_date"), 开始日期="2023-02-30")


@case(
    MEASURES,
    "dates written the Chinese way",
    "`2023年5月1日`, `2023/5/1`, `2023.05.01`, `20230501`",
    "loaded",
)
def dates_written_in_other_ways(u: Unit) -> Expected:
    u.households()
    spellings = ["2023年5月1日", "2023/5/1", "2023.05.01", "20230501"]
    write_csv(
        u.path(u.measures()),
        MEASURE_HEADER,
        [ms(u, i, 1, 开始日期=s) for i, s in enumerate(spellings, 1)],
    )
    return Expected(
        [loaded(u.measures(), "measures", 4)],
        check=in_raw(
            "measures", "distinct start_date", [(date(2023, 5, 1),)], source_file=u.measures()
        ),
    )


@case(
    MEASURES,
    "measure ending before it starts",
    "结束日期 2023-04-30, 开始日期 2023-05-01",
    "quarantined",
    row_reason("end_before_start"),
)
def measure_end_before_start(u: Unit) -> Expected:
    return _bad_measure(u, "end_date", row_reason("end_before_start"), 结束日期="2023-04-30")


@case(
    MEASURES,
    "measure of an unknown household",
    "户编号 that no survey holds",
    "quarantined",
    row_reason("household_unknown"),
)
def measure_of_unknown_household(u: Unit) -> Expected:
    u.households()
    write_csv(u.path(u.measures()), MEASURE_HEADER, [ms(u, 1, 1), ms(u, 2, 7)])
    return Expected(
        [loaded(u.measures(), "measures", 2, 1)],
        [q(u.measures(), 3, "household_id", row_reason("household_unknown"))],
    )


@case(
    MEASURES,
    "measure number twice",
    "措施编号 repeated on two rows",
    "quarantined",
    row_reason("duplicate_measure"),
)
def measure_number_twice(u: Unit) -> Expected:
    u.households()
    write_csv(u.path(u.measures()), MEASURE_HEADER, [ms(u, 1, 1), ms(u, 1, 1, 措施内容="again")])
    reason = row_reason("duplicate_measure")
    return Expected(
        [loaded(u.measures(), "measures", 2, 2)],
        [q(u.measures(), 2, "measure_id", reason), q(u.measures(), 3, "measure_id", reason)],
    )


EPISODES = "Monitoring episodes and their values (SPEC §3.4)"


def _bad_episode(u: Unit, column: str, reason: Reason, **cells: str) -> Expected:
    u.households()
    write_csv(u.path(u.monitoring()), EPISODE_HEADER, [ep(u, 1, **cells)])
    return Expected(
        [loaded(u.monitoring(), "monitoring_episodes", 1, 1)],
        [q(u.monitoring(), 2, column, reason)],
    )


@case(
    EPISODES,
    "eliminated before identified",
    "风险消除日期 2023-04-09, 识别认定日期 2023-04-10",
    "quarantined",
    row_reason("eliminated_before_identified"),
)
def eliminated_before_identified(u: Unit) -> Expected:
    return _bad_episode(
        u, "eliminated_date", row_reason("eliminated_before_identified"), 风险消除日期="2023-04-09"
    )


@case(
    EPISODES,
    "identified before the risk was found",
    "识别认定日期 2023-03-31, 风险发现日期 2023-04-01",
    "quarantined",
    row_reason("identified_before_found"),
)
def identified_before_found(u: Unit) -> Expected:
    return _bad_episode(
        u, "identified_date", row_reason("identified_before_found"), 识别认定日期="2023-03-31"
    )


@case(
    EPISODES,
    "episode of an unknown household",
    "户编号 that no survey holds",
    "quarantined",
    row_reason("household_unknown"),
)
def episode_of_unknown_household(u: Unit) -> Expected:
    write_csv(u.path(u.monitoring()), EPISODE_HEADER, [ep(u, 1)])
    return Expected(
        [loaded(u.monitoring(), "monitoring_episodes", 1, 1)],
        [q(u.monitoring(), 2, "household_id", row_reason("household_unknown"))],
    )


CATEGORIES = "、".join(CONFIG.sources["monitoring_episodes"].column("category").values)
RISK_TYPES = "、".join(CONFIG.sources["monitoring_episodes"].column("risk_types").values)


@case(
    EPISODES,
    "unknown category value",
    "监测对象类别 `一般户`",
    "quarantined",
    row_reason("not_in_values", values=CATEGORIES),
)
def unknown_category(u: Unit) -> Expected:
    return _bad_episode(
        u, "category", row_reason("not_in_values", values=CATEGORIES), 监测对象类别="一般户"
    )


def _aliased_episode(u: Unit, column: str, cell: str, value: str, written: str) -> Expected:
    u.households()
    write_csv(u.path(u.monitoring()), EPISODE_HEADER, [ep(u, 1, **{written: cell})])
    return Expected(
        [loaded(u.monitoring(), "monitoring_episodes", 1)],
        check=in_raw("monitoring_episodes", column, [(value,)], household_id=u.hid(1)),
    )


@case(EPISODES, "category typo 边缘易至贫户", "至 for 致 (alias table: → 边缘易致贫户)", "loaded")
def category_typo_zhi(u: Unit) -> Expected:
    return _aliased_episode(u, "category", "边缘易至贫户", "边缘易致贫户", "监测对象类别")


@case(EPISODES, "category without 户", "脱贫不稳定 (alias table: → 脱贫不稳定户)", "loaded")
def category_without_hu(u: Unit) -> Expected:
    return _aliased_episode(u, "category", " 脱贫不稳定 ", "脱贫不稳定户", "监测对象类别")


@case(
    EPISODES,
    "risk type in its long form",
    "`因病致贫，因残` (alias table: 因病致贫 → 因病)",
    "loaded",
)
def risk_type_long_form(u: Unit) -> Expected:
    return _aliased_episode(u, "risk_types", "因病致贫，因残", "因病、因残", "风险类型")


@case(
    EPISODES,
    "unknown risk type in a list",
    "风险类型 `因病、因穷`",
    "quarantined",
    row_reason("not_in_value_list", values=RISK_TYPES),
)
def unknown_risk_type(u: Unit) -> Expected:
    reason = row_reason("not_in_value_list", values=RISK_TYPES)
    return _bad_episode(u, "risk_types", reason, 风险类型="因病、因穷")


@case(
    EPISODES,
    "overlapping episodes",
    "two episodes of one household, the first still open when the second starts (dbt's M3 "
    "check flags them)",
    "loaded",
)
def overlapping_episodes(u: Unit) -> Expected:
    u.households()
    rows = [
        ep(u, 1, 风险发现日期="2023-03-01", 识别认定日期="2023-03-10"),
        ep(u, 1, 风险发现日期="2023-05-01", 识别认定日期="2023-05-05", 风险消除日期="2023-12-01"),
    ]
    write_csv(u.path(u.monitoring()), EPISODE_HEADER, rows)
    return Expected(
        [loaded(u.monitoring(), "monitoring_episodes", 2)],
        check=in_raw("monitoring_episodes", "count(*)", [(2,)], household_id=u.hid(1)),
    )


# -- the tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return run_corpus(tmp_path_factory.mktemp("bad_inputs"), CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_has_its_exact_outcome(case: Case, corpus: Corpus) -> None:
    assert_outcome(case, corpus)


def test_the_run_goes_on_and_accounts_for_every_row(corpus: Corpus) -> None:
    assert_run(corpus)
