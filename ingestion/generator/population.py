"""Households and their members over the survey years (SPEC §3.1–3.2), one county at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ingestion.generator.regions import County
from ingestion.generator.util import first_per_group, pick, rank_within, year_start, zfill
from ingestion.idnumber import CHECK_CHARS, WEIGHTS

HEAD, SPOUSE, CHILD, INLAW, GRANDCHILD, PARENT, SIBLING, OTHER = range(8)
# roles of the members after head and spouse: young heads live with children and parents,
# older heads with a married child and grandchildren
YOUNG_TEMPLATE = np.array([CHILD, CHILD, PARENT, CHILD, PARENT, CHILD, SIBLING])
OLD_TEMPLATE = np.array([CHILD, INLAW, GRANDCHILD, GRANDCHILD, CHILD, GRANDCHILD, GRANDCHILD])
RELATIONS = np.array(
    # (role, male) → 与户主关系
    [
        ["户主", "户主"],
        ["配偶", "配偶"],
        ["女", "子"],
        ["儿媳", "女婿"],
        ["孙女", "孙子"],
        ["母亲", "父亲"],
        ["兄弟姐妹", "兄弟姐妹"],
        ["其他", "其他"],
    ]
)

HEALTH = np.array(["健康", "长期慢性病", "患有大病", "残疾"])  # in order of severity
LABOR = np.array(["技能劳动力", "普通劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力"])
SCHOOLING = np.array(
    [
        "非在校生",
        "学前教育",
        "小学",
        "七年级",
        "八年级",
        "九年级",
        "高中",
        "中职",
        "高职",
        "大专及以上",
        "失学辍学",
    ]
)
WORK_AREA = np.array(["未务工", "县内", "省内县外", "省外"])
NOT_IN_SCHOOL, PRESCHOOL, PRIMARY, GRADE7, GRADE8, GRADE9 = range(6)
SENIOR, VOCATIONAL, HIGHER_VOC, COLLEGE, DROPOUT = range(6, 11)
WEAK, LOST, NONE = 2, 3, 4
U_HEALTH, U_LABOR, U_SCHOOL, U_TERTIARY, U_PRESCHOOL, U_LATE, U_WORK, U_COLUMNS = range(8)

_WEIGHTS = np.array(WEIGHTS, dtype=np.int64)
_CHECK = np.array(list(CHECK_CHARS))


@dataclass
class Panel:
    """Households (index h) and members (index m) of one county; years by index t."""

    years: np.ndarray
    household_id: np.ndarray
    village: np.ndarray
    first: np.ndarray
    last: np.ndarray
    alleviated: np.ndarray
    relocated: np.ndarray
    phone: np.ndarray
    m_household: np.ndarray
    m_order: np.ndarray
    m_first: np.ndarray
    m_last: np.ndarray
    m_role: np.ndarray
    m_male: np.ndarray
    birth: np.ndarray
    birth_year: np.ndarray
    name: np.ndarray
    id_number: np.ndarray
    relation: np.ndarray
    u: np.ndarray  # (members, U_COLUMNS) persistent uniforms: a person keeps their traits

    def present(self) -> np.ndarray:
        """(households, years) bool: surveyed that year."""
        t = np.arange(len(self.years))
        return (self.first[:, None] <= t) & (t <= self.last[:, None])

    def m_present(self) -> np.ndarray:
        """(members, years) bool: listed in that year's survey."""
        t = np.arange(len(self.years))
        return (self.m_first[:, None] <= t) & (t <= self.m_last[:, None])


def id_numbers(division: str, birth: np.ndarray, male: np.ndarray) -> np.ndarray:
    """Valid, distinct 18-digit ID numbers: division code, birth date, sequence (odd = male)."""
    birth_days = birth.astype(np.int64)
    rank = rank_within(birth_days * 2 + male)
    seq_index = (birth_days * 7919 + male) % 200 + rank
    if seq_index.max(initial=0) > 498:
        raise ValueError("too many people born on one day in one county")
    seq = 2 * seq_index + np.where(male, 1, 2)
    ymd = np.strings.replace(np.datetime_as_string(birth, unit="D"), "-", "")
    first17 = np.strings.add(np.strings.add(division, ymd), zfill(seq, 3))
    digits = np.frombuffer(first17.astype("S17").tobytes(), dtype=np.uint8).reshape(-1, 17) - 48
    return np.strings.add(first17, _CHECK[(digits.astype(np.int64) @ _WEIGHTS) % 11])


def _given_names(rng: np.random.Generator, male: np.ndarray, names: dict[str, Any]) -> np.ndarray:
    pools = {True: np.array(names["male"]), False: np.array(names["female"])}
    n = len(male)
    first = np.where(
        male,
        pools[True][rng.integers(0, len(pools[True]), n)],
        pools[False][rng.integers(0, len(pools[False]), n)],
    )
    second = np.where(
        male,
        pools[True][rng.integers(0, len(pools[True]), n)],
        pools[False][rng.integers(0, len(pools[False]), n)],
    )
    two = rng.random(n) < names["two_char_given_share"]
    return np.strings.add(first, np.where(two, second, ""))


def _households(rng, county: County, n_years: int, cfg: dict[str, Any]):
    panel_cfg, hh_cfg = cfg["panel"], cfg["household"]
    n0 = county.households
    new_counts = rng.binomial(n0, panel_cfg["new_household_rate"], size=n_years - 1)
    first = np.concatenate([np.zeros(n0, np.int64), np.repeat(np.arange(1, n_years), new_counts)])
    n = len(first)
    stay = rng.geometric(panel_cfg["attrition_rate"], size=n)
    last = np.minimum(n_years - 1, first + stay - 1)
    sizes = county.village_sizes
    v_base = np.repeat(np.arange(len(sizes)), sizes)
    v_new = rng.choice(len(sizes), size=n - n0, p=(sizes + 1) / (sizes + 1).sum())
    village = np.concatenate([v_base, v_new])
    seq = np.concatenate([rank_within(v_base), sizes[v_new] + rank_within(v_new)]) + 1
    household_id = np.strings.add(county.villages[village], zfill(seq, 4))
    share = np.where(first == 0, hh_cfg["alleviated_share"], hh_cfg["alleviated_share_new"])
    alleviated = rng.random(n) < share
    relocated_share = hh_cfg["relocated_share"]
    relocated_p = np.where(alleviated, relocated_share["alleviated"], relocated_share["other"])
    relocated = rng.random(n) < relocated_p
    prefixes = np.array(cfg["names"]["phone_prefixes"])
    phone = np.strings.add(
        prefixes[rng.integers(0, len(prefixes), n)],
        zfill(rng.integers(0, 10**8, n), 8),
    )
    phone = np.where(rng.random(n) < hh_cfg["phone_share"], phone, "")
    return household_id, county.villages[village], first, last, alleviated, relocated, phone


def _families(rng, base_year: np.ndarray, cfg: dict[str, Any]) -> dict[str, np.ndarray]:
    """Members of newly surveyed households: roles, ages in their first year, sex."""
    hc = cfg["household"]
    n = len(base_year)
    size = 1 + pick(rng, hc["size_probs"], n)
    small = size <= 2
    mean = np.where(small, hc["head_age_small"][0], hc["head_age_large"][0])
    sd = np.where(small, hc["head_age_small"][1], hc["head_age_large"][1])
    head_age = np.clip(np.rint(rng.normal(mean, sd)), *hc["head_age_range"]).astype(np.int64)
    head_male = rng.random(n) < hc["head_male_share"]
    spouse_p = np.where(
        head_age < 65, hc["spouse_share"]["under_65"], hc["spouse_share"]["over_65"]
    )
    has_spouse = (size >= 2) & (rng.random(n) < spouse_p)
    child0_age = head_age - rng.integers(22, 35, n)
    child0_male = rng.random(n) < 0.55
    married_child = (head_age >= hc["old_head_age"]) & (child0_age >= 22)

    hh = np.repeat(np.arange(n), size)
    m = len(hh)
    slot = np.arange(m) - np.repeat(np.cumsum(size) - size, size)
    spouse = has_spouse[hh]
    k = np.clip(slot - 1 - spouse, 0, len(YOUNG_TEMPLATE) - 1)
    role = np.where(married_child[hh], OLD_TEMPLATE[k], YOUNG_TEMPLATE[k])
    role = np.where(slot == 0, HEAD, np.where((slot == 1) & spouse, SPOUSE, role))
    is_extra = role > SPOUSE
    role = np.where(is_extra & (rng.random(m) < hc["other_relation_share"]), OTHER, role)
    eldest = married_child[hh] & (role == CHILD) & (slot - 1 - spouse == 0)

    ha, c0 = head_age[hh], child0_age[hh]
    child = ha - rng.integers(20, 39, m)
    child = np.where(child < 0, rng.integers(0, np.maximum(1, ha - 19)), child)
    grandchild = c0 - rng.integers(20, 35, m)
    grandchild = np.where(grandchild < 0, rng.integers(0, np.maximum(1, c0 - 19)), grandchild)
    age = np.select(
        [
            role == HEAD,
            role == SPOUSE,
            eldest,
            role == CHILD,
            role == INLAW,
            role == GRANDCHILD,
            role == PARENT,
        ],
        [
            ha,
            np.maximum(18, ha + np.rint(rng.normal(np.where(head_male[hh], -2, 2), 3))),
            c0,
            child,
            np.maximum(18, c0 + np.rint(rng.normal(0, 2, m))),
            grandchild,
            np.minimum(96, ha + rng.integers(20, 33, m)),
        ],
        np.maximum(16, ha + rng.integers(-8, 9, m)),
    ).astype(np.int64)
    male = np.select(
        [role == HEAD, role == SPOUSE, eldest, role == INLAW],
        [head_male[hh], ~head_male[hh], child0_male[hh], ~child0_male[hh]],
        rng.random(m) < 0.53,
    )
    birth_year = base_year[hh] - age
    return {"hh": hh, "order": slot, "role": role, "male": male, "birth_year": birth_year}


def build_panel(
    rng: np.random.Generator, county: County, years: list[int], cfg: dict[str, Any]
) -> Panel:
    """The county's households and members over all years, with births, deaths and attrition."""
    years_arr = np.asarray(years, dtype=np.int64)
    n_years = len(years_arr)
    household_id, village, first, last, alleviated, relocated, phone = _households(
        rng, county, n_years, cfg
    )
    fam = _families(rng, years_arr[first], cfg)
    hh, order, role, male, birth_year = (
        fam[k] for k in ("hh", "order", "role", "male", "birth_year")
    )
    m_first, m_last = first[hh], last[hh]
    birth = year_start(birth_year) + rng.integers(0, 365, len(hh)).astype("timedelta64[D]")

    pc = cfg["panel"]
    n = len(first)
    for t in range(1, n_years):
        age = years_arr[t] - birth_year
        alive = (m_first <= t) & (m_last >= t)
        dies = alive & (role != HEAD) & (age >= 70)
        dies &= rng.random(len(hh)) < pc["death_rate_70"] * (1 + 0.3 * (age - 70) / 10)
        m_last = np.where(dies, t - 1, m_last)
        alive &= ~dies
        mother = alive & ~male & (age >= 20) & (age <= 40)
        mother &= np.isin(role, (HEAD, SPOUSE, INLAW, CHILD))
        own = np.bincount(hh[mother & np.isin(role, (HEAD, SPOUSE))], minlength=n) > 0
        any_mother = np.bincount(hh[mother], minlength=n) > 0
        size_t = np.bincount(hh[alive], minlength=n)
        born = any_mother & (first <= t) & (last >= t) & (size_t < 8)
        born &= rng.random(n) < pc["birth_rate"]
        b = np.flatnonzero(born)
        b_male = rng.random(len(b)) < 0.52
        hh = np.concatenate([hh, b])
        order = np.concatenate([order, np.full(len(b), 10 + t)])
        role = np.concatenate([role, np.where(own[b], CHILD, GRANDCHILD)])
        male = np.concatenate([male, b_male])
        birth_year = np.concatenate([birth_year, np.full(len(b), years_arr[t])])
        b_birth = year_start(np.full(len(b), years_arr[t])) + rng.integers(0, 300, len(b)).astype(
            "timedelta64[D]"
        )
        birth = np.concatenate([birth, b_birth])
        m_first = np.concatenate([m_first, np.full(len(b), t)])
        m_last = np.concatenate([m_last, last[b]])

    # members in household order, head first, babies last
    sort = np.lexsort((order, hh))
    hh, order, role, male, birth_year, birth, m_first, m_last = (
        a[sort] for a in (hh, order, role, male, birth_year, birth, m_first, m_last)
    )
    m = len(hh)
    names = cfg["names"]
    surnames = np.array(names["surnames"])
    family_name = surnames[rng.integers(0, len(surnames), n)][hh]
    own_name = np.isin(role, (HEAD, CHILD, GRANDCHILD, SIBLING)) | ((role == PARENT) & male)
    surname = np.where(own_name, family_name, surnames[rng.integers(0, len(surnames), m)])
    return Panel(
        years=years_arr,
        household_id=household_id,
        village=village,
        first=first,
        last=last,
        alleviated=alleviated,
        relocated=relocated,
        phone=phone,
        m_household=hh,
        m_order=order,
        m_first=m_first,
        m_last=m_last,
        m_role=role,
        m_male=male,
        birth=birth,
        birth_year=birth_year,
        name=np.strings.add(surname, _given_names(rng, male, names)),
        id_number=id_numbers(county.code, birth, male),
        relation=RELATIONS[role, male.astype(np.int64)],
        u=rng.random((m, U_COLUMNS)),
    )


@dataclass
class MemberYears:
    """Member attributes per year, (members, years) arrays of indices into the label arrays."""

    present: np.ndarray
    age: np.ndarray
    health: np.ndarray
    schooling: np.ndarray
    labor: np.ndarray
    work_area: np.ndarray
    work_months: np.ndarray
    insured: np.ndarray


def _health(panel: Panel, age: np.ndarray, mc: dict[str, Any]) -> np.ndarray:
    band = np.searchsorted(np.asarray(mc["health_age_bands"]), age, side="right")
    cum = np.cumsum(np.asarray(mc["health_probs"], float), axis=1)[band]
    u = panel.u[:, U_HEALTH, None]
    return np.where(
        u < cum[..., 0], 3, np.where(u < cum[..., 1], 2, np.where(u < cum[..., 2], 1, 0))
    )


def _schooling(rng, panel: Panel, age: np.ndarray, mc: dict[str, Any]) -> np.ndarray:
    u = panel.u[:, U_SCHOOL, None]
    late = panel.u[:, U_LATE, None] < 0.35  # born late in the year: still 九年级 at 15
    senior, vocational = mc["upper_secondary"]["高中"], mc["upper_secondary"]["中职"]
    college, higher_voc = mc["tertiary"]["大专及以上"], mc["tertiary"]["高职"]
    upper = np.where(
        u < senior, SENIOR, np.where(u < senior + vocational, VOCATIONAL, NOT_IN_SCHOOL)
    )
    u2 = panel.u[:, U_TERTIARY, None]
    tertiary = np.where(u2 < college, COLLEGE, np.where(u2 < college + higher_voc, HIGHER_VOC, 0))
    tertiary = np.where(u < senior + vocational, tertiary, NOT_IN_SCHOOL)
    preschool = np.where(
        panel.u[:, U_PRESCHOOL, None] < mc["preschool_share"], PRESCHOOL, NOT_IN_SCHOOL
    )
    school = np.select(
        [
            age < 3,
            age <= 5,
            age <= 11,
            age == 12,
            age == 13,
            age == 14,
            (age == 15) & (late | (upper == NOT_IN_SCHOOL)),
            age <= 17,
            age <= 21,
        ],
        [NOT_IN_SCHOOL, preschool, PRIMARY, GRADE7, GRADE8, GRADE9, GRADE9, upper, tertiary],
        NOT_IN_SCHOOL,
    )
    dropout = (age >= 6) & (age <= 15) & (rng.random(age.shape) < mc["dropout_rate"])
    return np.where(dropout, DROPOUT, school)


def _labor(panel: Panel, age, health, schooling, mc: dict[str, Any]) -> np.ndarray:
    cum = np.cumsum(np.array([mc["labor_by_health"][h] for h in HEALTH], float), axis=1)[health]
    u = panel.u[:, U_LABOR, None]
    working_age = (u[..., None] >= cum[..., :3]).sum(axis=-1)
    weak_share = np.where(
        age >= 75, mc["labor_elderly_weak_share"][75], mc["labor_elderly_weak_share"][65]
    )
    elderly = np.where(health >= 2, LOST, np.where(u < weak_share, WEAK, NONE))
    in_school = (schooling != NOT_IN_SCHOOL) & (schooling != DROPOUT)
    return np.where((age < 16) | in_school, NONE, np.where(age <= 64, working_age, elderly))


def member_years(
    rng: np.random.Generator,
    panel: Panel,
    shock_kind: np.ndarray,
    shock_names: list[str],
    cfg: dict[str, Any],
) -> MemberYears:
    """Age, health, schooling, labour and work of every member in every year."""
    mc = cfg["members"]
    present = panel.m_present()
    age = panel.years[None, :] - panel.birth_year[:, None]
    health = _health(panel, age, mc)
    # an illness or disability shock strikes one member of the household from that year on
    n_years = len(panel.years)
    for t in range(n_years):
        for kind, severity, years_ill in (("因病", 2, 2), ("因残", 3, n_years)):
            if kind not in shock_names:
                continue
            struck = shock_kind[:, t] == shock_names.index(kind)
            candidates = present[:, t] & struck[panel.m_household] & (age[:, t] >= 16)
            member = first_per_group(panel.m_household, rng.random(len(age)), candidates)
            member = member[member >= 0]
            health[member, t : t + years_ill] = np.maximum(
                health[member, t : t + years_ill], severity
            )
            if kind == "因病":
                health[member, t + years_ill :] = np.maximum(health[member, t + years_ill :], 1)
    schooling = _schooling(rng, panel, age, mc)
    labor = _labor(panel, age, health, schooling, mc)
    probs = np.array([mc["work_area_probs"][LABOR[i]] for i in range(3)], float)
    cum = np.cumsum(probs, axis=1)
    lab = np.minimum(labor, 2)
    u = np.broadcast_to(panel.u[:, U_WORK, None], labor.shape)
    area = (u[..., None] >= cum[lab][..., :3]).sum(axis=-1)
    area = np.where(labor <= WEAK, area, 0)
    lo, hi = mc["work_months"]
    months = np.where(area > 0, rng.integers(lo, hi + 1, labor.shape), 0)
    if "因务工就业不稳" in shock_names:
        back = (shock_kind == shock_names.index("因务工就业不稳"))[panel.m_household]
        months = np.where(back & (area > 0), rng.integers(1, 6, labor.shape), months)
    insured = rng.random(labor.shape) >= mc["uninsured_rate"]
    return MemberYears(present, age, health, schooling, labor, area, months, insured)


@dataclass
class HouseholdYears:
    """Per household and year: size and the features the income and risk models use."""

    size: np.ndarray
    has_labor: np.ndarray
    workers: np.ndarray
    elderly: np.ndarray
    ill: np.ndarray
    disabled: np.ndarray
    student: np.ndarray
    education_ok: np.ndarray
    medical_ok: np.ndarray
    head_member: np.ndarray


def household_years(panel: Panel, my: MemberYears) -> HouseholdYears:
    """Aggregate members to households for every year (SPEC §3.2 has_labor)."""
    n, n_years = len(panel.household_id), len(panel.years)
    hh = panel.m_household

    def count(mask: np.ndarray) -> np.ndarray:
        out = np.zeros((n, n_years), dtype=np.int64)
        for t in range(n_years):
            out[:, t] = np.bincount(hh[mask[:, t] & my.present[:, t]], minlength=n)
        return out

    labor_age = (my.age >= 16) & (my.age <= 64)
    heads = np.flatnonzero(panel.m_role == HEAD)
    head_member = np.full(n, -1, dtype=np.int64)
    head_member[hh[heads]] = heads
    return HouseholdYears(
        size=count(np.ones_like(my.present)),
        has_labor=count((my.labor <= WEAK) & labor_age) > 0,
        workers=count(my.work_months > 0),
        elderly=count(my.age >= 60),
        ill=count((my.health == 1) | (my.health == 2)) > 0,
        disabled=count(my.health == 3) > 0,
        student=count((my.schooling >= SENIOR) & (my.schooling <= COLLEGE)) > 0,
        education_ok=count(my.schooling == DROPOUT) == 0,
        medical_ok=count(~my.insured) == 0,
        head_member=head_member,
    )
