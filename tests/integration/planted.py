"""A small hand-made city planted into a generated landing area, with figures computed by hand.

City 539900 (示范市) has two counties of two households each, surveyed 2021–2023, all alleviated
(脱贫户). Net incomes (yuan, whole households):

| household | county | size | 2021 | 2022 | 2023 |
|---|---|---|---|---|---|
| A1 | 539901 | 2 | 20 000 | 22 000 | 23 000 |
| A2 | 539901 | 3 | 30 000 | 33 000 | 34 500 |
| B1 | 539902 | 4 | 40 000 | 44 000 | 56 000 |
| B2 | 539902 | 1 |  6 000 |  6 600 |  5 000 |

County 539901: per capita 10 000 → 11 000 → 11 500, growth 2023 = 11 500 / 11 000 − 1 = 0.0454…
County 539902: per capita  9 200 → 10 120 → 12 200, growth 2023 = 61 000 / 50 600 − 1 = 0.2055…
City: growth 2022 = 105 600 / 96 000 − 1 = 0.10; growth 2023 = 118 500 / 105 600 − 1 = 0.1221…
T2 in 2023: county 539901 (0.045 < 0.10) fails and is put under supervision; 539902 meets it.
B2 in 2023: per capita 5 000 < the 2023 line 8 050 (below line), a decrease from 6 600, and a
low-income focus household (alleviated, < 10 000).

Monitoring in 2023 (all still at risk at 2023-12-31):
- A1: 因学, measures: 产业帮扶 only → has a running measure but none answers 因学 (C2 fails).
- A2: 因灾, no measure at all (C1 fails).
- B2: 因病, one member aged 45 with 普通劳动力 (has labour), only 综合保障 → 一兜了之 (C3).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ingestion.idnumber import check_character

CITY = "539900"
COUNTY_A = "539901"
COUNTY_B = "539902"
PROVINCE = "53"


def _code12(prefix: str) -> str:
    return prefix.ljust(12, "0")


VILLAGE_A = "539901001001"
VILLAGE_B = "539902001001"


def id_number(county: str, birth: str, seq: int) -> str:
    first17 = f"{county}{birth}{seq:03d}"
    return first17 + check_character(first17)


@dataclass(frozen=True)
class PlantedHousehold:
    household_id: str
    county: str
    village: str
    # (birth date YYYYMMDD, relation, labor)
    members: tuple[tuple[str, str, str], ...]
    net_income: dict[int, int]


HOUSEHOLDS = [
    PlantedHousehold(
        "5399010010010001",
        COUNTY_A,
        VILLAGE_A,
        (("19800101", "户主", "普通劳动力"), ("19820202", "配偶", "普通劳动力")),
        {2021: 20_000, 2022: 22_000, 2023: 23_000},
    ),
    PlantedHousehold(
        "5399010010010002",
        COUNTY_A,
        VILLAGE_A,
        (
            ("19700303", "户主", "普通劳动力"),
            ("19720404", "配偶", "普通劳动力"),
            ("20100505", "子", "无劳动力"),
        ),
        {2021: 30_000, 2022: 33_000, 2023: 34_500},
    ),
    PlantedHousehold(
        "5399020010010001",
        COUNTY_B,
        VILLAGE_B,
        (
            ("19750606", "户主", "技能劳动力"),
            ("19770707", "配偶", "普通劳动力"),
            ("20000808", "子", "普通劳动力"),
            ("20030909", "女", "普通劳动力"),
        ),
        {2021: 40_000, 2022: 44_000, 2023: 56_000},
    ),
    PlantedHousehold(
        "5399020010010002",
        COUNTY_B,
        VILLAGE_B,
        (("19780110", "户主", "普通劳动力"),),
        {2021: 6_000, 2022: 6_600, 2023: 5_000},
    ),
]
A1, A2, B1, B2 = (h.household_id for h in HOUSEHOLDS)
YEARS = (2021, 2022, 2023)

EPISODES = [
    # household, category, risk types, channel, found, identified, eliminated
    (A1, "脱贫不稳定户", "因学", "基层干部排查", "2023-04-20", "2023-05-01", ""),
    (A2, "脱贫不稳定户", "因灾", "农户自主申报", "2023-05-25", "2023-06-01", ""),
    (B2, "脱贫不稳定户", "因病", "部门筛查预警", "2023-02-20", "2023-03-01", ""),
]
MEASURES = [
    ("M-539901-0001", A1, "产业帮扶", "特色种植奖补", "2023-05-10", "", "3000.00", "衔接资金"),
    ("M-539902-0001", B2, "综合保障", "纳入低保", "2023-03-05", "", "4800.00", "行业资金"),
]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _append_regions(landing: Path) -> None:
    path = landing / "reference" / "regions.csv"
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    rows = list(csv.reader(text.splitlines()))
    header = rows[0]
    new = [
        (_code12(CITY), "示范市", "city", _code12(PROVINCE), "", ""),
        (_code12(COUNTY_A), "甲县", "county", _code12(CITY), "none", "是"),
        (_code12(COUNTY_B), "乙县", "county", _code12(CITY), "national", "是"),
        ("539901001000", "甲镇", "township", _code12(COUNTY_A), "", ""),
        ("539902001000", "乙镇", "township", _code12(COUNTY_B), "", ""),
        (VILLAGE_A, "甲村", "village", "539901001000", "", ""),
        (VILLAGE_B, "乙村", "village", "539902001000", "", ""),
    ]
    position = {name: i for i, name in enumerate(header)}
    keys = ["region_code", "name", "level", "parent_code", "is_key_county", "is_alleviated_county"]
    aliases = {
        "区划代码": "region_code",
        "统计用区划代码": "region_code",
        "名称": "name",
        "级别": "level",
        "上级代码": "parent_code",
        "重点帮扶县": "is_key_county",
        "是否脱贫县": "is_alleviated_county",
    }
    column_of = {aliases.get(name, name): i for name, i in position.items()}
    for values in new:
        row = [""] * len(header)
        for key, value in zip(keys, values, strict=True):
            row[column_of[key]] = value
        rows.append(row)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def _income_parts(net: int) -> list[str]:
    wage = round(net * 0.7)
    operating_income, operating_expense = round(net * 0.2) + 1000, 1000
    property_income = round(net * 0.02)
    transfer = net - wage - (operating_income - operating_expense) - property_income
    return [
        f"{v:.2f}" for v in (wage, operating_income, operating_expense, property_income, transfer)
    ]


def plant(landing: Path) -> None:
    """Write the planted city's regions, survey, episodes and measures into `landing`."""
    _append_regions(landing)
    for year in YEARS:
        for county in (COUNTY_A, COUNTY_B):
            hh = [h for h in HOUSEHOLDS if h.county == county]
            base = landing / "survey" / str(year) / county
            head = {h.household_id: id_number(county, h.members[0][0], 11) for h in hh}
            _write_csv(
                base / "households.csv",
                ["户编号", "行政区划代码", "户主姓名", "户主身份证号", "家庭人口数", "是否脱贫户",
                 "是否易地扶贫搬迁户", "住房安全", "饮水安全", "义务教育保障", "基本医疗保障",
                 "联系电话", "采集日期"],
                [
                    [h.household_id, h.village, "王大", head[h.household_id], str(len(h.members)),
                     "是", "否", "是", "是", "是", "是", "", f"{year}-12-01"]
                    for h in hh
                ],
            )  # fmt: skip
            member_rows = []
            for h in hh:
                for i, (birth, relation, labor) in enumerate(h.members):
                    age = year - int(birth[:4])
                    schooling = "七年级" if 6 <= age <= 15 else "非在校生"
                    member_rows.append(
                        [h.household_id, f"王{i}", id_number(county, birth, 11 + 2 * i), relation,
                         "健康", labor, schooling, "县内" if labor != "无劳动力" else "未务工",
                         "10" if labor != "无劳动力" else "0", "是"]
                    )  # fmt: skip
            _write_csv(
                base / "members.csv",
                ["户编号", "姓名", "身份证号", "与户主关系", "健康状况", "劳动技能", "在校生状况",
                 "务工区域", "务工月数", "参加医保"],
                member_rows,
            )  # fmt: skip
            _write_csv(
                base / "income.csv",
                ["户编号", "年度", "工资性收入", "生产经营性收入", "生产经营性支出", "财产性收入",
                 "转移性收入"],
                [[h.household_id, str(year), *_income_parts(h.net_income[year])] for h in hh],
            )  # fmt: skip
    for county in (COUNTY_A, COUNTY_B):
        _write_csv(
            landing / "monitoring" / "2023" / f"{county}.csv",
            ["户编号", "监测对象类别", "风险类型", "发现方式", "风险发现日期", "识别认定日期",
             "风险消除日期"],
            [list(e) for e in EPISODES if e[0].startswith(county)],
        )  # fmt: skip
        _write_csv(
            landing / "measures" / "2023" / f"{county}.csv",
            ["措施编号", "户编号", "措施类别", "措施内容", "开始日期", "结束日期", "资金金额",
             "资金来源"],
            [list(m) for m in MEASURES if m[1].startswith(county)],
        )  # fmt: skip
