"""Landing tables of one county and year, typed, before formatting (SPEC §3.1–3.7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ingestion.generator.config import Reference
from ingestion.generator.episodes import Episodes
from ingestion.generator.income import Income
from ingestion.generator.measures import Measures
from ingestion.generator.population import (
    HEALTH,
    LABOR,
    SCHOOLING,
    WORK_AREA,
    HouseholdYears,
    MemberYears,
    Panel,
)
from ingestion.generator.sector import Records
from ingestion.generator.util import rank_within, zfill

# code name, Chinese header, kind (text | amount | int | date | bool)
COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "households": [
        ("household_id", "户编号", "text"),
        ("village_code", "行政区划代码", "text"),
        ("head_name", "户主姓名", "text"),
        ("head_id_number", "户主身份证号", "text"),
        ("household_size", "家庭人口数", "int"),
        ("is_alleviated", "是否脱贫户", "bool"),
        ("is_relocated", "是否易地扶贫搬迁户", "bool"),
        ("housing_safe", "住房安全", "bool"),
        ("water_safe", "饮水安全", "bool"),
        ("education_ok", "义务教育保障", "bool"),
        ("medical_ok", "基本医疗保障", "bool"),
        ("phone", "联系电话", "text"),
        ("survey_date", "采集日期", "date"),
    ],
    "members": [
        ("household_id", "户编号", "text"),
        ("name", "姓名", "text"),
        ("id_number", "身份证号", "text"),
        ("relation", "与户主关系", "text"),
        ("health", "健康状况", "text"),
        ("labor", "劳动技能", "text"),
        ("schooling", "在校生状况", "text"),
        ("work_area", "务工区域", "text"),
        ("work_months", "务工月数", "int"),
        ("medical_insured", "参加医保", "bool"),
    ],
    "income": [
        ("household_id", "户编号", "text"),
        ("income_year", "年度", "int"),
        ("wage_income", "工资性收入", "amount"),
        ("operating_income", "生产经营性收入", "amount"),
        ("operating_expense", "生产经营性支出", "amount"),
        ("property_income", "财产性收入", "amount"),
        ("transfer_income", "转移性收入", "amount"),
        ("transfer_dibao", "其中：低保金", "amount"),
        ("transfer_tekun", "其中：特困供养金", "amount"),
        ("transfer_pension", "其中：养老金", "amount"),
        ("transfer_eco", "其中：生态补偿金", "amount"),
        ("reported_net_income", "家庭纯收入", "amount"),
        ("reported_per_capita", "人均纯收入", "amount"),
    ],
    "monitoring": [
        ("household_id", "户编号", "text"),
        ("category", "监测对象类别", "text"),
        ("risk_types", "风险类型", "text"),
        ("discovery_channel", "发现方式", "text"),
        ("risk_found_date", "风险发现日期", "date"),
        ("identified_date", "识别认定日期", "date"),
        ("eliminated_date", "风险消除日期", "date"),
    ],
    "measures": [
        ("measure_id", "措施编号", "text"),
        ("household_id", "户编号", "text"),
        ("measure_type", "措施类别", "text"),
        ("detail", "措施内容", "text"),
        ("start_date", "开始日期", "date"),
        ("end_date", "结束日期", "date"),
        ("amount_yuan", "资金金额", "amount"),
        ("funding_source", "资金来源", "text"),
    ],
    "sector_medical": [
        ("id_number", "身份证号", "text"),
        ("settlement_date", "结算日期", "date"),
        ("total_cost", "医疗总费用", "amount"),
        ("self_pay", "合规自付费用", "amount"),
    ],
    "sector_civil_affairs": [
        ("id_number", "身份证号", "text"),
        ("assistance_type", "救助类型", "text"),
        ("start_date", "开始日期", "date"),
        ("amount", "金额", "amount"),
    ],
    "sector_employment": [
        ("id_number", "身份证号", "text"),
        ("employment_status", "就业状态", "text"),
        ("change_date", "变动日期", "date"),
    ],
    "sector_education": [
        ("id_number", "身份证号", "text"),
        ("enrolment_status", "学籍状态", "text"),
        ("change_date", "变动日期", "date"),
    ],
    "sector_housing": [
        ("household_id", "户编号", "text"),
        ("danger_grade", "危房等级", "text"),
        ("assessed_date", "鉴定日期", "date"),
    ],
    "sector_emergency": [
        ("household_id", "户编号", "text"),
        ("disaster_type", "灾害类型", "text"),
        ("loss_yuan", "损失金额", "amount"),
        ("occurred_date", "发生日期", "date"),
    ],
    "sector_disability": [
        ("id_number", "身份证号", "text"),
        ("disability_category", "残疾类别", "text"),
        ("disability_grade", "残疾等级", "text"),
        ("issued_date", "发证日期", "date"),
    ],
    "applications": [
        ("application_id", "申请编号", "text"),
        ("id_number", "身份证号", "text"),
        ("applied_date", "申请日期", "date"),
        ("subject", "申请事项", "text"),
        ("closed_date", "办结日期", "date"),
        ("outcome", "办理结果", "text"),
    ],
}
Table = dict[str, np.ndarray]


@dataclass
class CountyData:
    """Everything simulated for one county, ready to be cut into yearly files."""

    code: str
    panel: Panel
    my: MemberYears
    hy: HouseholdYears
    income: Income
    housing_unsafe: np.ndarray
    water_unsafe: np.ndarray
    survey_date: np.ndarray
    episodes: Episodes
    measures: Measures
    measure_id: np.ndarray
    sector: dict[str, Records] = field(default_factory=dict)  # by department
    applications: Records | None = None


def survey_tables(data: CountyData, t: int) -> dict[str, Table]:
    """户信息, 成员信息 and 收入信息 of year index t."""
    p, hy, inc = data.panel, data.hy, data.income
    rank = np.empty(len(p.household_id), dtype=np.int64)
    rank[np.argsort(p.household_id, kind="stable")] = np.arange(len(p.household_id))
    h = np.flatnonzero(p.present()[:, t])
    h = h[np.argsort(rank[h], kind="stable")]
    head = hy.head_member[h]
    households = {
        "household_id": p.household_id[h],
        "village_code": p.village[h],
        "head_name": p.name[head],
        "head_id_number": p.id_number[head],
        "household_size": hy.size[h, t],
        "is_alleviated": p.alleviated[h],
        "is_relocated": p.relocated[h],
        "housing_safe": ~data.housing_unsafe[h, t],
        "water_safe": ~data.water_unsafe[h, t],
        "education_ok": hy.education_ok[h, t],
        "medical_ok": hy.medical_ok[h, t],
        "phone": p.phone[h],
        "survey_date": data.survey_date[h, t],
    }
    m = np.flatnonzero(data.my.present[:, t])
    m = m[np.lexsort((p.m_order[m], rank[p.m_household[m]]))]
    my = data.my
    members = {
        "household_id": p.household_id[p.m_household[m]],
        "name": p.name[m],
        "id_number": p.id_number[m],
        "relation": p.relation[m],
        "health": HEALTH[my.health[m, t]],
        "labor": LABOR[my.labor[m, t]],
        "schooling": SCHOOLING[my.schooling[m, t]],
        "work_area": WORK_AREA[my.work_area[m, t]],
        "work_months": my.work_months[m, t],
        "medical_insured": my.insured[m, t],
    }
    size = hy.size[h, t]
    net = inc.net[h, t]
    income = {
        "household_id": p.household_id[h],
        "income_year": np.full(len(h), p.years[t]),
        "wage_income": inc.wage[h, t],
        "operating_income": inc.operating_income[h, t],
        "operating_expense": inc.operating_expense[h, t],
        "property_income": inc.property[h, t],
        "transfer_income": inc.transfer[h, t],
        "transfer_dibao": inc.dibao[h, t],
        "transfer_tekun": inc.tekun[h, t],
        "transfer_pension": inc.pension[h, t],
        "transfer_eco": inc.eco[h, t],
        "reported_net_income": net,
        "reported_per_capita": (2 * net + size) // (2 * size),  # half-up to the cent
    }
    return {"households": households, "members": members, "income": income}


def risk_text(risk: np.ndarray, ref: Reference, separator: str) -> np.ndarray:
    """Risk types of each episode joined by the separator, in seed order."""
    text = np.full(len(risk), "", dtype=object)
    for k, name in enumerate(ref.risk_types):
        joined = np.where(text == "", name, text + separator + name)
        text = np.where(risk[:, k], joined, text)
    return text.astype(str)


def _calendar_year(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[Y]").astype(np.int64) + 1970


def monitoring_table(data: CountyData, year: int, ref: Reference, separator: str) -> Table:
    """Episodes whose risk was found in `year`."""
    ep = data.episodes
    rows = np.flatnonzero(_calendar_year(ep.found) == year)
    return {
        "household_id": data.panel.household_id[ep.household[rows]],
        "category": ep.category[rows],
        "risk_types": risk_text(ep.risk[rows], ref, separator),
        "discovery_channel": ep.channel[rows],
        "risk_found_date": ep.found[rows],
        "identified_date": ep.identified[rows],
        "eliminated_date": ep.eliminated[rows],
    }


def assign_measure_ids(county_code: str, panel: Panel, ms: Measures) -> tuple[Measures, np.ndarray]:
    """Measures ordered by start date and household, with 措施编号 CS<county><year><sequence>."""
    order = np.lexsort((ms.measure_type, panel.household_id[ms.household], ms.start))
    ms = Measures(*(getattr(ms, f)[order] for f in Measures.__dataclass_fields__))
    year = _calendar_year(ms.start)
    seq = rank_within(year) + 1
    prefix = np.strings.add(f"CS{county_code}", year.astype("U4"))
    return ms, np.strings.add(prefix, zfill(seq, 6))


def measures_table(data: CountyData, year: int, ref: Reference) -> Table:
    """Measures that started in `year`."""
    ms = data.measures
    rows = np.flatnonzero(_calendar_year(ms.start) == year)
    return {
        "measure_id": data.measure_id[rows],
        "household_id": data.panel.household_id[ms.household[rows]],
        "measure_type": np.array(ref.measure_types)[ms.measure_type[rows]],
        "detail": ms.detail[rows],
        "start_date": ms.start[rows],
        "end_date": ms.end[rows],
        "amount_yuan": ms.amount[rows],
        "funding_source": ms.funding[rows],
    }


def take_rows(table: Table, rows: np.ndarray) -> Table:
    return {k: v[rows] for k, v in table.items()}


def row_count(table: Table) -> int:
    return len(next(iter(table.values())))


def kinds(source: str) -> dict[str, str]:
    return {code: kind for code, _, kind in COLUMNS[source]}


def headers(source: str, style: str, unit: str, columns: list[str]) -> list[str]:
    """Header row in the county's style: Chinese, Chinese with unit suffix, or code names."""
    spec = {code: (zh, kind) for code, zh, kind in COLUMNS[source]}
    if style == "en":
        return list(columns)
    return [
        spec[c][0] + (unit if style == "zh_unit" and spec[c][1] == "amount" else "")
        for c in columns
    ]


def optional_columns(source: str, style: dict[str, Any]) -> list[str]:
    """Columns the county writes: all, less the optional reported totals for some counties."""
    names = [code for code, _, _ in COLUMNS[source]]
    if source == "income" and not style["reported_totals"]:
        names = [c for c in names if not c.startswith("reported_")]
    return names
