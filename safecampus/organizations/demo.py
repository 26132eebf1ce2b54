"""A plausible district for demos and benchmarks: Xinbei District, Changzhou (常州市新北区).

Names, places and coordinates are made up but shaped like the real ones; a
fixed random seed gives the same district every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from safecampus.organizations.choices import AgencyKind, Role, SchoolKind, UnitKind

BUREAU = ("JY", "常州市新北区教育局", "区教育局")

SECTIONS = [
    ("JY-BGS", "办公室", UnitKind.SECTION, False),
    ("JY-AJK", "职社科（安监科）", UnitKind.SECTION, True),
    ("JY-JJK", "基础教育科", UnitKind.SECTION, False),
    ("JY-RSK", "人事科", UnitKind.SECTION, False),
    ("JY-JCK", "计划财务科", UnitKind.SECTION, False),
    ("JY-TWY", "体卫艺科", UnitKind.SECTION, False),
    ("JY-DDS", "教育督导室", UnitKind.SECTION, False),
    ("JY-JSFZ", "教师发展中心", UnitKind.INSTITUTION, False),
    ("JY-ZB", "教育装备与后勤管理中心", UnitKind.INSTITUTION, False),
    ("JY-ZZ", "学生资助管理中心", UnitKind.INSTITUTION, False),
]

AGENCIES = [
    ("ZF-ZFW", "新北区委政法委", AgencyKind.POLITICAL_LEGAL),
    ("GA-FJ", "常州市公安局新北分局", AgencyKind.POLICE),
    ("JC-XB", "新北区人民检察院", AgencyKind.PROCURATORATE),
    ("FY-XB", "新北区人民法院", AgencyKind.COURT),
    ("SF-XB", "新北区司法局", AgencyKind.JUSTICE),
    ("SJ-XB", "新北区市场监督管理局", AgencyKind.MARKET),
    ("WL-XB", "新北区文体广电和旅游局", AgencyKind.CULTURE_TOURISM),
]

# Towns and streets with an approximate centre (WGS-84) and the police station's code.
TOWNS = [
    ("三井", 31.8254, 119.9636, "GA-SJ", "通江中路"),
    ("河海", 31.8392, 119.9782, "GA-HH", "河海中路"),
    ("新桥", 31.8571, 119.9427, "GA-XQ", "新桥大街"),
    ("薛家", 31.8439, 119.8874, "GA-XJ", "薛冶路"),
    ("罗溪", 31.8987, 119.8691, "GA-LX", "罗溪中路"),
    ("春江", 31.9396, 119.9710, "GA-CJ", "春江路"),
    ("孟河", 31.9964, 119.8826, "GA-MH", "孟城路"),
    ("西夏墅", 31.9447, 119.8316, "GA-XXS", "西夏墅大街"),
    ("奔牛", 31.8989, 119.7859, "GA-BN", "奔牛大街"),
    ("龙虎塘", 31.8722, 119.9992, "GA-LHT", "龙锦路"),
]

SCHOOL_PATTERNS = [
    (SchoolKind.PRIMARY, "{town}实验小学", (900, 2600)),
    (SchoolKind.PRIMARY, "{town}中心小学", (600, 1800)),
    (SchoolKind.KINDERGARTEN, "{town}中心幼儿园", (200, 520)),
    (SchoolKind.JUNIOR, "{town}初级中学", (700, 1900)),
    (SchoolKind.KINDERGARTEN, "{town}实验幼儿园", (180, 450)),
    (SchoolKind.NINE_YEAR, "{town}学校", (1100, 2800)),
]
SPECIAL_SCHOOLS = [
    (SchoolKind.SENIOR, "常州市新北区第一高级中学", "三井", (1800, 3200), True),
    (SchoolKind.SENIOR, "江苏省奔牛高级中学", "奔牛", (1500, 2800), True),
    (SchoolKind.SENIOR, "常州市新桥高级中学", "新桥", (1400, 2500), True),
    (SchoolKind.VOCATIONAL, "常州市新北区职业教育中心", "薛家", (1600, 3000), True),
    (SchoolKind.SPECIAL, "常州市新北区特殊教育学校", "河海", (80, 200), True),
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高梁郑罗宋谢唐韩曹许邓冯"
GIVEN = "建国志强秀英丽娟海燕文杰晓东春梅国华红霞明辉玉兰伟敏静"


@dataclass(frozen=True)
class DemoSchool:
    code: str
    name: str
    kind: str
    town: str
    address: str
    latitude: float
    longitude: float
    students: int
    staff: int
    boarding: bool
    police_code: str


def schools(count: int, rng: random.Random) -> list[DemoSchool]:
    """``count`` schools: the named ones first, then numbered branches of each pattern."""
    plan: list[tuple[str, str, str, tuple[int, int], bool]] = [
        (kind, name, town, size, boarding) for kind, name, town, size, boarding in SPECIAL_SCHOOLS
    ]
    round_no = 0
    while len(plan) < count:
        for pattern_kind, pattern, size in SCHOOL_PATTERNS:
            for town, *_ in TOWNS:
                name = pattern.format(town=town)
                if round_no:
                    name = name.replace(town, f"{town}第{round_no + 1}", 1)
                plan.append((pattern_kind, f"常州市新北区{name}", town, size, False))
        round_no += 1
    result = []
    towns = {t[0]: t for t in TOWNS}
    for index, (kind, name, town, (low, high), boarding) in enumerate(plan[:count], start=1):
        _, lat, lng, police, street = towns[town]
        students = rng.randint(low, high)
        result.append(
            DemoSchool(
                code=f"XB-{index:03d}" if index < 1000 else f"XB-{index}",
                name=name,
                kind=kind,
                town=town,
                address=f"常州市新北区{town}{street}{rng.randint(1, 399)}号",
                latitude=round(lat + rng.uniform(-0.018, 0.018), 6),
                longitude=round(lng + rng.uniform(-0.02, 0.02), 6),
                students=students,
                staff=max(12, students // rng.randint(11, 15)),
                boarding=boarding,
                police_code=police,
            )
        )
    return result


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


#: One demo login per role: (username, role, unit code).
DEMO_LOGINS = [
    ("leader", Role.BUREAU_LEADER, "JY"),
    ("safety", Role.BUREAU_SAFETY_OFFICER, "JY-AJK"),
    ("section", Role.BUREAU_STAFF, "JY-JJK"),
    ("inspector", Role.INSPECTOR, "JY-DDS"),
    ("principal", Role.PRINCIPAL, "XB-001"),
    ("officer", Role.SCHOOL_OFFICER, "XB-001"),
    ("teacher", Role.TEACHER, "XB-001"),
    ("guard", Role.GUARD, "XB-001"),
    ("police", Role.PARTNER_LIAISON, "GA-SJ"),
    ("sysadmin", Role.SYSTEM_ADMIN, "JY"),
    ("secadmin", Role.SECURITY_ADMIN, "JY"),
    ("auditor", Role.AUDITOR, "JY"),
]
DEMO_PASSWORD = "Demo-2026-safe"
