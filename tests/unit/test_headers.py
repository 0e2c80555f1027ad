"""Header matching: file headers → code names of ingestion/sources.yaml."""

from __future__ import annotations

import pytest

from ingestion.config import load_config
from ingestion.headers import AliasCollisionError, alias_map, map_headers, normalise_header


@pytest.fixture(scope="module")
def config():
    return load_config()


def mapped(config, source: str, headers: list[str]) -> dict[str, int]:
    return map_headers(headers, config.sources[source].aliases).positions


def test_full_width_and_surrounding_spaces_are_ignored() -> None:
    assert normalise_header("　户 编号 ") == normalise_header("户编号")
    assert normalise_header("ＨＯＵＳＥＨＯＬＤ＿ＩＤ") == normalise_header("household_id")


def test_trailing_unit_in_brackets_is_dropped() -> None:
    assert normalise_header("工资性收入（元）") == "工资性收入"
    assert normalise_header("工资性收入(元)") == "工资性收入"
    assert normalise_header("家庭人口数【人】") == "家庭人口数"


def test_leading_qizhong_is_dropped() -> None:
    assert normalise_header("其中：低保金（元）") == "低保金"
    assert normalise_header("其中:养老金") == "养老金"


def test_required_marker_and_case_are_ignored() -> None:
    assert normalise_header("*户编号") == "户编号"
    assert normalise_header("Household_ID") == normalise_header("household_id")


def test_chinese_english_and_decorated_headers_map_to_code_names(config) -> None:
    headers = [
        "户编号",
        "年度",
        "工资性收入（元）",
        "Operating_Income",
        "其中：低保金（元）",
        " 养老金 ",
    ]
    assert mapped(config, "income", headers) == {
        "household_id": 0,
        "income_year": 1,
        "wage_income": 2,
        "operating_income": 3,
        "transfer_dibao": 4,
        "transfer_pension": 5,
    }


def test_code_name_is_always_an_alias(config) -> None:
    for source in config.sources.values():
        for column in source.columns:
            assert source.aliases[normalise_header(column.name)] == column.name


def test_unknown_columns_are_listed_and_not_mapped(config) -> None:
    result = map_headers(["户编号", "备注", "", "姓名"], config.sources["members"].aliases)
    assert result.positions == {"household_id": 0, "name": 3}
    assert result.unknown_headers == ["备注"]


def test_two_columns_with_one_meaning_are_duplicates(config) -> None:
    result = map_headers(["户编号", "姓名", "household_id"], config.sources["members"].aliases)
    assert result.duplicates == {"household_id": (0, 2)}


def test_repeated_header_gets_a_distinct_raw_values_key(config) -> None:
    result = map_headers(["备注", "户编号", "备注", ""], config.sources["members"].aliases)
    assert [result.key(i) for i in range(4)] == ["备注 (#1)", "户编号", "备注 (#3)", "(#4)"]


def test_an_alias_naming_two_columns_is_refused() -> None:
    with pytest.raises(AliasCollisionError):
        alias_map({"wage_income": ["工资"], "operating_income": ["工 资"]})
