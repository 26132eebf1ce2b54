"""Demo inspections for the demo district (after ``seed_demo``), and the benchmark's data.

Plans (a monthly self-inspection by every school, the supervising inspector twice a
semester, a yearly safe-campus evaluation, daily guard checks for a few schools) and the
inspections they owed over the past years: mostly submitted, scored like the scoring module
scores them, some late, a few recent ones overdue. Failed items become hazards (隐患); each
inspection's hazards get one rectification notice (整改通知书) in every state — issued,
submitted, returned, verified on time and late, overdue — with the kernel's timeline events
and deadlines, so the pages show timelines and due dates.

The rows are built in memory and written with ``bulk_create`` (explicit keys, sequences reset
afterwards), so 1,000 schools × 3 years take well under a minute. No audit rows are written:
this is seeded history, not actions anyone took. Idempotent: nothing when the demo plans
already have inspections.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone, translation

from safecampus.accounts.models import User
from safecampus.cases.calendar import WorkCalendar, add_working_days
from safecampus.cases.choices import CaseEventKind
from safecampus.cases.models import CaseEvent, Deadline
from safecampus.core.localtime import CHINA_TZ, local_day
from safecampus.core.rules import rule
from safecampus.inspections.choices import (
    HAZARD_LEVEL_ORDER,
    RECTIFY_BUREAU_PURPOSE,
    RECTIFY_PURPOSE,
    AnswerResult,
    Frequency,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    InspectionStatus,
    ItemType,
    Performer,
    RectificationStatus,
    TemplateKind,
    VersionStatus,
)
from safecampus.inspections.models import (
    ChecklistTemplate,
    Hazard,
    Inspection,
    InspectionAnswer,
    InspectionPlan,
    Rectification,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)
from safecampus.inspections.scoring import score_inspection
from safecampus.inspections.services.plans import due_dates, periods_between
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit
from safecampus.organizations.selectors import bureau_unit

DEADLINE_LABEL = "Rectification"
BATCH = 2000
#: Schools with daily guard checks in the demo.
DAILY_SCHOOLS = 3

#: (plan name, template kind, performer, frequency, times per period)
PLANS = [
    (
        "演示：学校每月安全自查",
        TemplateKind.SELF_INSPECTION,
        Performer.SCHOOL,
        Frequency.MONTHLY,
        1,
    ),
    (
        "演示：责任督学每学期督导检查",
        TemplateKind.SUPERVISION,
        Performer.INSPECTOR,
        Frequency.SEMESTER,
        2,
    ),
    ("演示：年度平安校园考评", TemplateKind.EVALUATION, Performer.INSPECTOR, Frequency.YEARLY, 1),
    ("演示：门卫每日巡查", TemplateKind.DAILY_PATROL, Performer.GUARD, Frequency.DAILY, 1),
]
PLACES = [
    "东门门卫室",
    "教学楼一楼",
    "学生宿舍",
    "食堂后厨",
    "配电房",
    "操场",
    "校车停靠点",
    "实验楼",
]
#: How likely an item of each gravity is to fail, relative to a general one: in a district's
#: register major hazards are a few in a hundred, serious ones about a fifth (issue #14).
FAILURE_WEIGHTS = {HazardLevel.GENERAL: 1.0, HazardLevel.SERIOUS: 0.35, HazardLevel.MAJOR: 0.06}
#: Planned inspections done after their due day, and notices left open past their deadline:
#: a few in a hundred, so that the monthly risk grade keeps its top levels for the few
#: schools that earn them (issue #14: 11 of 60 demo schools were red).
LATE_SHARE = 0.04
OVERDUE_SHARE = 0.04
MEASURES = "已落实整改：更换设备、补齐台账，并组织相关人员培训。"
INTERIM = "设置警戒区域，安排专人值守，每日巡查记录。"

#: What an inspector writes down, by category: the register reads like a real one.
FINDINGS: dict[str, list[str]] = {
    "fire": [
        "一楼东侧消防通道堆放课桌椅，通道宽度不足一米。",
        "三楼灭火器压力表指针在红区，已过检验期。",
        "实验楼安全出口指示灯不亮，应急照明断电后无法启动。",
        "学生宿舍楼消防栓箱被上锁，钥匙不在值班室。",
        "图书室电源插座周边堆放纸箱，距离不足半米。",
    ],
    "electrical": [
        "食堂后厨燃气软管老化开裂，未安装燃气泄漏报警器。",
        "教室多处插线板串接使用，配电箱未上锁。",
        "宿舍有学生私拉电线给电动车充电。",
        "配电房门窗无防鼠板，室内堆放杂物。",
    ],
    "building": [
        "教学楼三楼走廊护栏高度不足1.1米，部分栏杆松动。",
        "操场看台台阶破损，边缘有钢筋外露。",
        "体育器材室篮球架底座锈蚀，未做固定。",
        "围墙西段出现约两米长裂缝，有倾斜迹象。",
    ],
    "canteen": [
        "食堂留样冰箱温度显示8℃，部分留样不足48小时即被清理。",
        "后厨生熟刀具、砧板未分开使用。",
        "两名从业人员健康证已过期，仍在岗操作。",
        "食品原料出入库台账缺少近两周记录。",
    ],
    "dormitory": [
        "女生宿舍楼夜间仅一名宿管值守，查寝记录有缺漏。",
        "宿舍窗户限位器缺失，可完全打开。",
        "宿舍楼一楼安全出口被铁链锁闭。",
    ],
    "gate": [
        "校门口外来人员登记簿多日未填写，访客直接进入校园。",
        "上下学时段校门口未设置隔离护栏，学生与车辆混行。",
        "夜间巡逻记录与监控时间对不上，存在漏巡。",
        "门卫室未配备钢叉、防暴盾牌等防护器械。",
    ],
    "technical": [
        "校门口摄像头画面模糊，夜间无法看清人脸。",
        "监控录像仅保存7天，不足30天的要求。",
        "周界报警东侧防区长期旁路，报警不上传。",
        "一键报警装置未与公安机关联网，测试无响应。",
    ],
    "security_staff": [
        "专职保安仅一名，低于配备标准。",
        "两名保安员未持有保安员证。",
        "保安员不熟悉防暴器械使用，应急演练记录缺失。",
    ],
    "surroundings": [
        "学校门口两百米内有一家网吧，未悬挂禁止未成年人进入标志。",
        "校门对面流动摊贩占道经营，影响学生通行。",
        "学校周边道路缺少减速带和警示标志。",
    ],
    "school_bus": [
        "校车随车照管员未按规定清点学生人数。",
        "校车灭火器过期，安全锤缺失两把。",
        "一辆接送学生车辆无校车标牌，核载7人实载11人。",
    ],
    "education": [
        "本学期未开展防欺凌专题教育，无教案和签到记录。",
        "应急疏散演练记录缺少时间和参与人数。",
        "安全工作例会纪要未按月形成。",
    ],
    "other": [
        "校内水塘周边未设置防护栏和警示牌。",
        "化学实验室危化品柜未实行双人双锁管理。",
        "学生心理咨询室长期关闭，无值班安排。",
    ],
}

#: (fallback item code, text, type, points, level if failed, category, veto)
FALLBACK_ITEMS = [
    ("D-01", "门卫室24小时有人值守", ItemType.YES_NO, "10", "serious", "gate", False),
    ("D-02", "外来人员登记核实后入校", ItemType.YES_NO, "10", "general", "gate", False),
    ("D-03", "一键报警装置测试正常", ItemType.YES_NO, "10", "major", "technical", True),
    ("D-04", "消防通道畅通、灭火器在有效期内", ItemType.YES_NO, "10", "serious", "fire", False),
    ("D-05", "配电箱上锁，无私拉乱接", ItemType.YES_NO, "10", "general", "electrical", False),
    ("D-06", "食堂从业人员持健康证上岗", ItemType.YES_NO, "10", "general", "canteen", False),
    (
        "D-07",
        "视频监控覆盖重点部位且录像保存30天",
        ItemType.YES_NO,
        "10",
        "general",
        "technical",
        False,
    ),
    ("D-08", "防冲撞设施完好程度", ItemType.SCORE, "10", "", "gate", False),
    ("D-09", "检查说明", ItemType.TEXT, "0", "", "", False),
]
#: The English of ``FALLBACK_ITEMS``, by code (issue #14: English readers see no Chinese).
FALLBACK_ENGLISH = {
    "D-01": "The gatehouse is staffed 24 hours a day",
    "D-02": "Visitors enter after registration and verification",
    "D-03": "The one-touch alarm passes its test",
    "D-04": "Fire lanes are clear and extinguishers within their service life",
    "D-05": "Switch boxes are locked, with no improvised wiring",
    "D-06": "Canteen staff hold health certificates",
    "D-07": "CCTV covers key areas with recordings kept 30 days",
    "D-08": "State of the anti-ramming barriers",
    "D-09": "Inspection notes",
}


@dataclass
class Stats:
    plans: int = 0
    inspections: int = 0
    hazards: int = 0
    notices: int = 0
    answers: int = 0


@dataclass
class _Version:
    version: TemplateVersion
    items: list[TemplateItem]
    failable: list[TemplateItem] = field(default_factory=list)


def _insert(model: type[models.Model], objs: list[Any]) -> None:
    """INSERT ``objs`` as they are (seeded timestamps kept, keys given or left to the database):
    ``bulk_create`` compiles every value through the query compiler, several times slower
    for the hundreds of thousands of rows of the benchmark's district."""
    if not objs:
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(objs[0], f.attname) is None)
    ]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  (names from the model)
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    # Only these need the backend's adaptation; text, numbers and keys go as they are.
    prepared = (models.DateField, models.DecimalField, models.JSONField)
    plan = [(f.attname, isinstance(f, prepared), f) for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH):
            cursor.executemany(
                sql,
                [
                    tuple(
                        f.get_db_prep_save(o.__dict__[name], connection)
                        if prep
                        else o.__dict__[name]
                        for name, prep, f in plan
                    )
                    for o in objs[start : start + BATCH]
                ],
            )


def _fallback_version(kind: str) -> TemplateVersion:
    """A small published checklist of ``kind`` when the shipped templates are not there."""
    with translation.override("zh-hans"):
        chinese = str(TemplateKind(kind).label)
    with translation.override("en"):
        english = str(TemplateKind(kind).label)
    template, _created = ChecklistTemplate.objects.get_or_create(
        code=f"demo-{kind}".replace("_", "-"),
        defaults={
            "name": f"演示检查表（{chinese}）",
            "name_en": f"Demo checklist ({english})",
            "kind": kind,
        },
    )
    version = template.versions.filter(status=VersionStatus.PUBLISHED).first()
    if version is not None:
        return version
    version = TemplateVersion.objects.create(
        template=template, number=1, status=VersionStatus.PUBLISHED, published_at=timezone.now()
    )
    section = TemplateSection.objects.create(
        version=version, order=0, title="检查内容", title_en="Checks"
    )
    for order, (code, text, kind_, points, level, category, veto) in enumerate(FALLBACK_ITEMS):
        TemplateItem.objects.create(
            version=version,
            section=section,
            order=order,
            code=code,
            text=text,
            text_en=FALLBACK_ENGLISH[code],
            item_type=kind_,
            weight=Decimal(points),
            severity=level,
            category=category,
            veto=veto,
            required=kind_ != ItemType.TEXT,
        )
    return version


def _version(kind: str) -> _Version:
    version = (
        TemplateVersion.objects.filter(template__kind=kind, status=VersionStatus.PUBLISHED)
        .select_related("template")
        .order_by("template__code")
        .first()
    ) or _fallback_version(kind)
    items = list(version.items.order_by("section__order", "order", "pk"))
    failable = [
        i
        for i in items
        if i.item_type in (ItemType.YES_NO, ItemType.PHOTO) and i.severity and not i.veto
    ]
    return _Version(version, items, failable)


@lru_cache(maxsize=4096)
def _due(day: date, days: int) -> datetime:
    return add_working_days(datetime.combine(day, time(12), tzinfo=CHINA_TZ), days, calendar=_CAL)


_CAL = WorkCalendar()


def _at(day: date, rng: random.Random, now: datetime) -> datetime:
    moment = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=CHINA_TZ)
    return min(moment, now - timedelta(minutes=5))


class _Seeder:
    def __init__(self, *, years: int, seed: int, answers: bool | None, now: datetime) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
        self.now = now
        self.today = local_day(now)
        self.first = date(self.today.year - years + 1, 1, 1)
        self.schools = list(
            Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True)
            .order_by("code")
            .values_list("pk", "code", "name")
        )
        self.answers = len(self.schools) <= 200 if answers is None else answers
        users = {
            u.username: u for u in User.objects.filter(username__in=["inspector", "principal"])
        }
        self.inspector = users.get("inspector")
        self.bureau = bureau_unit()
        self.ct = ContentType.objects.get_for_model(Rectification)
        self.stats = Stats()
        self.next_pk: dict[type[models.Model], int] = {
            m: (m._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
            for m in (Inspection, Hazard, Rectification)
        }

    def pk(self, model: type[models.Model]) -> int:
        value = self.next_pk[model]
        self.next_pk[model] = value + 1
        return value

    # --- plans and inspections -----------------------------------------------------------

    def plans(self) -> list[tuple[InspectionPlan, _Version, list[int]]]:
        result = []
        for name, kind, performer, frequency, times in PLANS:
            ver = _version(kind)
            plan = InspectionPlan.objects.create(
                name=name,
                template=ver.version.template,
                performer=performer,
                inspector=self.inspector if performer == Performer.INSPECTOR else None,
                frequency=frequency,
                times_per_period=times,
                starts_on=self.first,
            )
            school_ids = [pk for pk, _c, _n in self.schools]
            if frequency == Frequency.DAILY:
                school_ids = school_ids[:DAILY_SCHOOLS]
                plan.schools.set(school_ids)
            result.append((plan, ver, school_ids))
        self.stats.plans = len(result)
        return result

    def slots(self, plan: InspectionPlan) -> list[tuple[str, int, date]]:
        last = self.today + timedelta(days=7)
        out = []
        for period in periods_between(plan.frequency, self.first, last):
            for sequence, due in enumerate(due_dates(period, plan.times_per_period), start=1):
                if due < self.first:
                    continue
                if plan.frequency == Frequency.DAILY and (
                    due > self.today or not _CAL.is_working_day(due)
                ):
                    continue
                out.append((period.key, sequence, due))
        return out

    def run(self) -> Stats:
        for plan, ver, school_ids in self.plans():
            rows: list[tuple[Inspection, list[TemplateItem], list[Any]]] = []
            for key, sequence, due in self.slots(plan):
                for school_id in school_ids:
                    rows.append(self.inspection(plan, ver, school_id, key, sequence, due))
                    if len(rows) >= BATCH:
                        self.flush(rows)
                        rows = []
            self.flush(rows)
        self.reset_sequences()
        return self.stats

    def inspection(
        self, plan: InspectionPlan, ver: _Version, school_id: int, key: str, seq: int, due: date
    ) -> tuple[Inspection, list[TemplateItem], list[Any]]:
        rng = self.rng
        row = Inspection(
            pk=self.pk(Inspection),
            plan=plan,
            version=ver.version,
            kind=plan.template.kind,
            school_id=school_id,
            performer=plan.performer,
            inspector=plan.inspector,
            period=key,
            sequence=seq,
            due_on=due,
        )
        start = due - timedelta(days=min(20, (due - self.first).days))
        row.created_at = row.updated_at = datetime.combine(start, time(6), tzinfo=CHINA_TZ)
        if plan.template.kind == TemplateKind.EVALUATION:
            # The yearly evaluation is done in the autumn, before its 31 December due day.
            day = date(due.year, rng.randint(9, 11), rng.randint(1, 28))
        elif rng.random() < LATE_SHARE:
            day = due + timedelta(days=rng.randint(1, 10))  # late
        else:
            day = due - timedelta(days=rng.randint(0, 6))
        recent_miss = (self.today - due).days < 60 and rng.random() < 0.02
        if day >= self.today or recent_miss or rng.random() < 0.005:
            if due >= self.today and rng.random() < 0.2:
                row.status, row.started_at = InspectionStatus.DRAFT, self.now - timedelta(hours=3)
            return row, [], []
        submitted = _at(max(day, start), rng, self.now)
        answers, failed_items = self.answer(ver, row, plan.performer)
        result = score_inspection(
            ((item, answer) for item, answer in zip(ver.items, answers, strict=True)),
            ver.version.pass_percent,
        )
        row.status = InspectionStatus.SUBMITTED
        row.started_at = submitted - timedelta(minutes=rng.randint(20, 90))
        row.submitted_at = row.updated_at = submitted
        row.score, row.max_score, row.score_percent = (
            result.score,
            result.max_score,
            result.percent,
        )
        row.passed, row.veto_failed = result.passed, result.veto_failed
        row.findings_count = len(result.failed_codes)
        return row, failed_items, answers

    def answer(
        self, ver: _Version, row: Inspection, performer: str
    ) -> tuple[list[Any], list[TemplateItem]]:
        rng = self.rng
        # Findings per inspection: guards rarely, schools on themselves now and then,
        # inspectors a little more often.
        means: dict[str, float] = {Performer.GUARD: 0.3, Performer.SCHOOL: 0.8}
        clean_shares: dict[str, float] = {Performer.GUARD: 0.9, Performer.SCHOOL: 0.6}
        mean, clean = means.get(performer, 1.5), clean_shares.get(performer, 0.4)
        count = (
            0
            if rng.random() < clean
            else min(len(ver.failable), int(rng.expovariate(1 / mean)) + 1)
        )
        failing = {item.pk for item in self.failures(ver.failable, count)}
        veto = row.kind == TemplateKind.EVALUATION and rng.random() < 0.03
        answers = []
        for item in ver.items:
            kind = item.item_type
            if kind in (ItemType.YES_NO, ItemType.PHOTO):
                bad = item.pk in failing or (item.veto and veto)
                result = AnswerResult.FAIL if bad else AnswerResult.PASS
                answers.append(SimpleNamespace(result=result, score=None, number=None, text=""))
            elif kind == ItemType.SCORE:
                given = (Decimal(item.weight) * Decimal(rng.choice([6, 8, 9, 10, 10]))) / 10
                answers.append(SimpleNamespace(result="", score=given, number=None, text=""))
            elif kind == ItemType.NUMBER:
                low, high = item.min_value, item.max_value
                value = low if low is not None else (high if high is not None else Decimal(1))
                answers.append(SimpleNamespace(result="", score=None, number=value, text=""))
            else:
                answers.append(SimpleNamespace(result="", score=None, number=None, text="正常"))
        items = [item for item in ver.items if item.pk in failing or (item.veto and veto)]
        return answers, [i for i in items if i.severity]

    def failures(self, failable: list[TemplateItem], count: int) -> list[TemplateItem]:
        """``count`` distinct items, the graver ones less likely (a weighted draw without
        replacement: the largest ``u ** (1 / weight)``)."""
        if not count:
            return []
        weights = [FAILURE_WEIGHTS.get(HazardLevel(i.severity), 1.0) for i in failable]
        keys = [self.rng.random() ** (1 / weight) for weight in weights]
        ranked = sorted(range(len(failable)), key=keys.__getitem__, reverse=True)
        return [failable[index] for index in ranked[:count]]

    # --- hazards and notices ---------------------------------------------------------------

    def flush(self, rows: list[tuple[Inspection, list[TemplateItem], list[Any]]]) -> None:
        if not rows:
            return
        hazards: list[Hazard] = []
        notices: list[Rectification] = []
        events: list[CaseEvent] = []
        deadlines: list[Deadline] = []
        answers: list[InspectionAnswer] = []
        for row, failed, given in rows:
            if self.answers and given:
                answers.extend(self.answer_rows(row, given))
            if row.status != InspectionStatus.SUBMITTED or not failed:
                continue
            found = [self.hazard(row, item) for item in failed]
            hazards.extend(found)
            notice = self.notice(row, found, events, deadlines)
            if notice is not None:
                notices.append(notice)
        with transaction.atomic():
            _insert(Inspection, [r for r, _f, _g in rows])
            _insert(Rectification, notices)
            _insert(Hazard, hazards)
            _insert(InspectionAnswer, answers)
            _insert(CaseEvent, events)
            _insert(Deadline, deadlines)
        self.stats.inspections += len(rows)
        self.stats.hazards += len(hazards)
        self.stats.notices += len(notices)
        self.stats.answers += len(answers)

    def answer_rows(self, row: Inspection, given: list[Any]) -> list[InspectionAnswer]:
        version_items = self._items.get(row.version_id)
        if version_items is None:
            version_items = list(
                TemplateItem.objects.filter(version_id=row.version_id).order_by(
                    "section__order", "order", "pk"
                )
            )
            self._items[row.version_id] = version_items
        return [
            InspectionAnswer(
                inspection_id=row.pk,
                item=item,
                result=answer.result,
                score=answer.score,
                number=answer.number,
                text=answer.text,
                updated_at=row.submitted_at or self.now,
            )
            for item, answer in zip(version_items, given, strict=True)
        ]

    _items: dict[int, list[TemplateItem]] = {}

    def hazard(self, row: Inspection, item: TemplateItem) -> Hazard:
        found_at = row.submitted_at or self.now
        major = item.severity == HazardLevel.MAJOR
        hazard = Hazard(
            pk=self.pk(Hazard),
            school_id=row.school_id,
            place=self.rng.choice(PLACES),
            category=item.category or HazardCategory.OTHER,
            level=item.severity or HazardLevel.GENERAL,
            description=self.rng.choice(
                FINDINGS.get(item.category or HazardCategory.OTHER, FINDINGS["other"])
            ),
            status=HazardStatus.OPEN,
            source=HazardSource.INSPECTION,
            found_by=row.inspector,
            found_by_label=(row.inspector.full_name or row.inspector.get_username())
            if row.inspector
            else "学校安全员",
            found_at=found_at,
            inspection_id=row.pk,
            item=item,
            interim_measure=INTERIM if major else "",
            interim_responsible="分管副校长" if major else "",
            created_at=found_at,
            updated_at=found_at,
        )
        return hazard

    def notice(
        self,
        row: Inspection,
        hazards: list[Hazard],
        events: list[CaseEvent],
        deadlines: list[Deadline],
    ) -> Rectification | None:
        """One notice for the inspection's hazards, taken as far as its age allows."""
        rng = self.rng
        issued = (row.submitted_at or self.now) + timedelta(hours=rng.randint(1, 20))
        if issued >= self.now - timedelta(days=2):
            return None  # found in the last days: in the register, no notice yet
        level = min(
            (h.level for h in hazards), key=lambda lv: HAZARD_LEVEL_ORDER.get(HazardLevel(lv), 9)
        )
        days = rule(f"rectify_days_{level}")
        due = _due(local_day(issued), days)
        by_bureau = row.performer == Performer.INSPECTOR or level == HazardLevel.MAJOR
        verifier = self.bureau.pk if by_bureau and self.bureau else row.school_id
        pk = self.pk(Rectification)
        notice = Rectification(
            pk=pk,
            reference=f"ZG-{local_day(issued).year}-{pk:06d}",
            title=f"整改通知书：{self._school_name(row.school_id)}",
            status=RectificationStatus.ISSUED,
            unit_id=row.school_id,
            assignee_unit_id=row.school_id,
            verifier_unit_id=verifier,
            inspection_id=row.pk,
            issued_by=row.inspector,
            requirements="请按期完成整改并上传整改前后对比照片。",
            due_at=due,
            created_at=issued,
            updated_at=issued,
        )
        story = self.story(issued, due)
        self.timeline(notice, story, level, events, deadlines)
        hazard_status = {
            RectificationStatus.ISSUED: HazardStatus.RECTIFYING,
            RectificationStatus.RETURNED: HazardStatus.RECTIFYING,
            RectificationStatus.SUBMITTED: HazardStatus.VERIFYING,
            RectificationStatus.VERIFIED: HazardStatus.CLOSED,
        }[RectificationStatus(notice.status)]
        for hazard in hazards:
            hazard.rectification_id = pk
            hazard.status = hazard_status
            hazard.updated_at = notice.updated_at
            if hazard_status == HazardStatus.CLOSED:
                hazard.closed_at = notice.closed_at
                hazard.measures = MEASURES
        return notice

    def story(self, issued: datetime, due: datetime) -> list[tuple[str, datetime]]:
        """(status reached, when) after issue, as far as now allows."""
        rng = self.rng
        span = max((due - issued).total_seconds(), 3600.0)
        roll = rng.random()
        steps: list[tuple[str, datetime]] = []
        if due > self.now:  # still running
            if roll < 0.5:
                return steps
            first = issued + timedelta(seconds=span * rng.uniform(0.2, 0.7))
            if first >= self.now:
                return steps
            steps.append((RectificationStatus.SUBMITTED, first))
            back = first + timedelta(days=1)
            if roll > 0.8 and back < self.now:
                steps.append((RectificationStatus.RETURNED, back))
            elif roll < 0.72:  # the verifier came within days, as most do
                verified = first + timedelta(hours=rng.randint(4, 72))
                if verified < self.now:
                    steps.append((RectificationStatus.VERIFIED, verified))
            return steps
        overdue_open = (self.now - due).days < 120 and roll < OVERDUE_SHARE
        if overdue_open:  # overdue: issued (never submitted) or returned
            if roll < OVERDUE_SHARE / 2:
                return []
            first = issued + timedelta(seconds=span * 0.6)
            return [
                (RectificationStatus.SUBMITTED, first),
                (RectificationStatus.RETURNED, first + timedelta(days=1)),
            ]
        late = roll > 0.85
        first = (
            due + timedelta(days=rng.randint(1, 12))
            if late
            else issued + timedelta(seconds=span * rng.uniform(0.3, 0.9))
        )
        steps = [(RectificationStatus.SUBMITTED, first)]
        if rng.random() < 0.15:
            back = first + timedelta(days=1)
            again = back + timedelta(days=rng.randint(1, 4))
            steps += [(RectificationStatus.RETURNED, back), (RectificationStatus.SUBMITTED, again)]
        last = steps[-1][1]
        steps.append((RectificationStatus.VERIFIED, last + timedelta(hours=rng.randint(2, 60))))
        return [(status, moment) for status, moment in steps if moment < self.now]

    def timeline(
        self,
        notice: Rectification,
        story: list[tuple[str, datetime]],
        level: str,
        events: list[CaseEvent],
        deadlines: list[Deadline],
    ) -> None:
        issued, due = notice.created_at, notice.due_at
        assert due is not None
        inspector = notice.issued_by
        label = (inspector.full_name or inspector.get_username()) if inspector else "校长"

        def event(kind: str, at: datetime, **extra: Any) -> None:
            events.append(
                CaseEvent(content_type=self.ct, object_id=notice.pk, at=at, kind=kind, **extra)
            )

        event(CaseEventKind.CREATED, issued, actor=inspector, actor_label=label, to_status="issued")
        rectify = Deadline(
            content_type=self.ct,
            object_id=notice.pk,
            purpose=RECTIFY_PURPOSE,
            label=DEADLINE_LABEL,
            started_at=issued,
            days=rule(f"rectify_days_{level}"),
            working_days=True,
            due_at=due,
            escalate_to_id=notice.unit_id,
            set_by=inspector,
        )
        bureau = Deadline(
            content_type=self.ct,
            object_id=notice.pk,
            purpose=RECTIFY_BUREAU_PURPOSE,
            label=DEADLINE_LABEL,
            started_at=issued,
            days=rectify.days,
            working_days=True,
            due_at=due,
            escalate_to_id=self.bureau.pk if self.bureau else None,
            set_by=inspector,
        )
        for deadline in (rectify, bureau):
            event(
                CaseEventKind.DEADLINE_SET,
                issued,
                actor=inspector,
                actor_label=label,
                data={
                    "purpose": deadline.purpose,
                    "days": deadline.days,
                    "working_days": True,
                    "due_at": due.isoformat(),
                    "replaced": False,
                },
            )
        open_rectify: Deadline | None = rectify
        open_bureau: Deadline | None = bureau
        previous: str = RectificationStatus.ISSUED
        for status, at in story:
            note = ""
            if status == RectificationStatus.SUBMITTED:
                notice.measures, notice.submitted_at = MEASURES, at
                for pending in (open_rectify, open_bureau):
                    if pending is not None:
                        pending.met_at = at
                        deadlines.append(pending)
                open_rectify = open_bureau = None
            elif status == RectificationStatus.RETURNED:
                notice.returns += 1
                note = "整改照片不清晰，未见整改后效果，请补充。"
                again = max(due, _due(local_day(at), rule("rectify_resubmit_days")))
                open_rectify, open_bureau = (
                    Deadline(
                        content_type=self.ct,
                        object_id=notice.pk,
                        purpose=purpose,
                        label=DEADLINE_LABEL,
                        started_at=at,
                        days=rule("rectify_resubmit_days"),
                        working_days=True,
                        due_at=again,
                        escalate_to_id=unit_id,
                    )
                    for purpose, unit_id in (
                        (RECTIFY_PURPOSE, notice.unit_id),
                        (RECTIFY_BUREAU_PURPOSE, self.bureau.pk if self.bureau else None),
                    )
                )
            elif status == RectificationStatus.VERIFIED:
                notice.verified_at, notice.closed_at = at, at
                notice.verified_by = inspector
                notice.on_time = bool(notice.submitted_at and notice.submitted_at <= due)
            actor_label = label if status != RectificationStatus.SUBMITTED else "学校安全专干"
            event(
                CaseEventKind.TRANSITIONED,
                at,
                actor_label=actor_label,
                from_status=previous,
                to_status=status,
                note=note,
            )
            previous = status
            notice.lock_version += 1
            notice.updated_at = at
        notice.status = previous
        for deadline in [d for d in (open_rectify, open_bureau) if d is not None]:
            if deadline.met_at is None and deadline.due_at < self.now:
                deadline.escalated_at = deadline.due_at + timedelta(hours=1)
                event(
                    CaseEventKind.ESCALATED,
                    deadline.escalated_at,
                    data={"purpose": deadline.purpose, "due_at": deadline.due_at.isoformat()},
                )
            deadlines.append(deadline)

    def _school_name(self, school_id: int) -> str:
        names = self.__dict__.setdefault("_names", {pk: name for pk, _c, name in self.schools})
        return str(names.get(school_id, ""))

    def reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(
            no_style(), [Inspection, Hazard, Rectification]
        )
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def demo_inspections_seed(
    *, years: int = 1, seed: int = 20261204, answers: bool | None = None
) -> Stats:
    """Seed the demo plans, inspections, hazards and notices once (nothing if the demo plans
    already exist, or the district has no schools)."""
    names = [name for name, *_rest in PLANS]
    if InspectionPlan.objects.filter(name__in=names).exists():
        return Stats()
    if not Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True).exists():
        return Stats()
    _Seeder._items = {}
    with transaction.atomic():
        return _Seeder(years=years, seed=seed, answers=answers, now=timezone.now()).run()
