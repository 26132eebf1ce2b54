"""The yearly safe-campus evaluation (平安校园考评): each school's score and the district ranking.

How the score of a school for a calendar year (China time) is computed — the page shows the
same text:

* **Checklist part** (``evaluation_weight_checklist`` points): the average ``score_percent`` of
  the school's submitted evaluation inspections submitted in the year, times the weight / 100.
  A school without an evaluation inspection in the year is *not evaluated*: it gets no total,
  no grade and no rank, and is listed after the evaluated schools.
* **Timeliness part** (``evaluation_weight_timeliness``): of the school's rectification notices
  due in the year, the share verified on time, times the weight. A notice not yet due and not
  yet decided is not counted yet; in the current year, notices of earlier years that are still
  open and overdue count too. No notice counted: full points.
* **Planned-inspection part** (``evaluation_weight_self_inspection``): of the school's planned
  inspections due in the year up to today (cancelled ones left out), the share submitted on or
  before their due day (China time), times the weight. None due: full points.
* **Penalty**: ``evaluation_overdue_penalty`` points for each counted notice still open and past
  its deadline now, at most ``evaluation_overdue_penalty_cap``.
* **Veto** (一票否决): a submitted evaluation inspection of the year with a failed veto item grades
  the school "fail", whatever its total, and ranks it below every school without a veto.
* Incidents and safety education are counted once those modules exist.

The ranking is computed with a fixed number of aggregate queries (one per part, grouped by
school), whatever the number of schools; ties share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from safecampus.core.localtime import CHINA_TZ, local_day
from safecampus.core.rules import rule
from safecampus.inspections.choices import InspectionStatus, RectificationStatus, TemplateKind
from safecampus.inspections.models import Inspection, Rectification
from safecampus.organizations.choices import BUREAU_ROLES, Role, SchoolKind, UnitKind
from safecampus.organizations.models import Unit

#: Who reads an evaluation: the bureau (the whole district), and a school's leadership and
#: teachers (their own school only).
SCHOOL_READERS = frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER, Role.TEACHER})
EVALUATION_READERS = BUREAU_ROLES | SCHOOL_READERS

OPEN_NOTICE = (
    RectificationStatus.ISSUED,
    RectificationStatus.SUBMITTED,
    RectificationStatus.RETURNED,
)
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)


class Grade:
    EXCELLENT = "excellent"
    GOOD = "good"
    PASS = "pass"
    FAIL = "fail"
    NONE = "none"

    LABELS: dict[str, Promise] = {
        EXCELLENT: _("Excellent"),
        GOOD: _("Good"),
        PASS: _("Pass"),
        FAIL: _("Fail"),
        NONE: _("Not evaluated"),
    }
    ORDER = (EXCELLENT, GOOD, PASS, FAIL, NONE)


def grade_of(total: Decimal | None, veto: bool) -> str:
    if total is None:
        return Grade.NONE
    if veto:
        return Grade.FAIL
    # Grade bands of the total (优秀 / 良好 / 合格; below: 不合格) are rules.
    if total >= rule("evaluation_grade_excellent"):
        return Grade.EXCELLENT
    if total >= rule("evaluation_grade_good"):
        return Grade.GOOD
    if total >= rule("evaluation_grade_pass"):
        return Grade.PASS
    return Grade.FAIL


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class SchoolScore:
    """One school's evaluation for one year, with the numbers behind every part."""

    school_id: int
    code: str
    name: str
    school_kind: str
    evaluations: int = 0
    checklist_percent: Decimal | None = None
    notices_counted: int = 0
    notices_on_time: int = 0
    planned_due: int = 0
    planned_on_time: int = 0
    overdue_open: int = 0
    veto: bool = False
    checklist: Decimal | None = None
    timeliness: Decimal = Decimal(0)
    self_inspection: Decimal = Decimal(0)
    penalty: Decimal = Decimal(0)
    total: Decimal | None = None
    grade: str = Grade.NONE
    rank: int | None = None

    @property
    def evaluated(self) -> bool:
        return self.total is not None

    @property
    def grade_label(self) -> str:
        return str(Grade.LABELS[self.grade])

    @property
    def kind_label(self) -> str:
        return str(dict(SchoolKind.choices).get(self.school_kind, self.school_kind))

    def compute(self) -> None:
        """Fill the parts, total and grade from the counts (weights from the rules)."""
        timely = rule("evaluation_weight_timeliness")
        planned = rule("evaluation_weight_self_inspection")
        self.timeliness = (
            Decimal(timely) * self.notices_on_time / self.notices_counted
            if self.notices_counted
            else Decimal(timely)
        )
        self.self_inspection = (
            Decimal(planned) * self.planned_on_time / self.planned_due
            if self.planned_due
            else Decimal(planned)
        )
        self.penalty = Decimal(
            min(
                self.overdue_open * rule("evaluation_overdue_penalty"),
                rule("evaluation_overdue_penalty_cap"),
            )
        )
        if self.checklist_percent is None:
            self.checklist, self.total = None, None
        else:
            self.checklist = self.checklist_percent * rule("evaluation_weight_checklist") / HUNDRED
            raw = self.checklist + self.timeliness + self.self_inspection - self.penalty
            self.total = _tenth(max(raw, Decimal(0)))
            self.checklist = _tenth(self.checklist)
        self.timeliness = _tenth(self.timeliness)
        self.self_inspection = _tenth(self.self_inspection)
        self.grade = grade_of(self.total, self.veto)


@dataclass
class Breakdown:
    """One school's score with the records it came from."""

    score: SchoolScore
    year: int
    schools_ranked: int
    inspections: list[Inspection] = field(default_factory=list)
    notices: list[Rectification] = field(default_factory=list)
    overdue: list[Rectification] = field(default_factory=list)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The calendar year in China time, as [start, end) instants."""
    start = datetime(year, 1, 1, tzinfo=CHINA_TZ)
    return start, datetime(year + 1, 1, 1, tzinfo=CHINA_TZ)


def current_year(now: datetime | None = None) -> int:
    return local_day(now or timezone.now()).year


# --- the aggregate queries (one each, grouped by school) --------------------------------


def _evaluation_rows(start: datetime, end: datetime) -> Any:
    return (
        Inspection.objects.filter(
            kind=TemplateKind.EVALUATION,
            status=InspectionStatus.SUBMITTED,
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        .order_by()
        .values("school_id")
        .annotate(
            n=Count("id"),
            percent_sum=Sum("score_percent"),
            vetoes=Count("id", filter=Q(veto_failed=True)),
        )
    )


def _notice_filter(start: datetime, end: datetime, now: datetime) -> Q:
    """The notices counted for a year (see the module docstring)."""
    counted = Q(due_at__gte=start, due_at__lt=end) & (Q(on_time__isnull=False) | Q(due_at__lt=now))
    if start <= now < end:
        counted |= Q(status__in=OPEN_NOTICE, due_at__lt=start)
    return counted & ~Q(status=RectificationStatus.CANCELLED)


def _notice_rows(start: datetime, end: datetime, now: datetime) -> Any:
    return (
        Rectification.objects.filter(_notice_filter(start, end, now))
        .order_by()
        .values("unit_id")
        .annotate(
            n=Count("id"),
            on_time=Count("id", filter=Q(on_time=True)),
            overdue=Count("id", filter=Q(status__in=OPEN_NOTICE, due_at__lt=now)),
        )
    )


def _planned_filter(year: int, today: date) -> Q:
    last = min(today, date(year, 12, 31))
    return Q(plan__isnull=False, due_on__gte=date(year, 1, 1), due_on__lte=last) & ~Q(
        status=InspectionStatus.CANCELLED
    )


def _planned_rows(year: int, today: date) -> Any:
    submitted_day = TruncDate("submitted_at", tzinfo=CHINA_TZ)
    return (
        Inspection.objects.filter(_planned_filter(year, today))
        .order_by()
        .values("school_id")
        .annotate(n=Count("id"))
        .annotate(
            on_time=Count(
                "id",
                filter=Q(status=InspectionStatus.SUBMITTED)
                & Q(submitted_at__isnull=False)
                & Q(due_on__gte=submitted_day),
            ),
        )
    )


def _schools() -> list[SchoolScore]:
    rows = (
        Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True)
        .order_by("code")
        .values_list("pk", "code", "name", "short_name", "school__school_kind")
    )
    return [
        SchoolScore(school_id=pk, code=code, name=short or name, school_kind=kind or "")
        for pk, code, name, short, kind in rows
    ]


def _rank(scores: list[SchoolScore]) -> list[SchoolScore]:
    """Evaluated schools by total (ties share a rank: 1, 2, 2, 4), vetoed ones below every
    school without a veto whatever their total, then the unevaluated ones by code."""
    evaluated = sorted(
        (s for s in scores if s.total is not None),
        key=lambda s: (s.veto, -(s.total or 0), s.code),
    )
    previous: tuple[bool, Decimal | None] | None = None
    for position, score in enumerate(evaluated, start=1):
        if (score.veto, score.total) != previous:
            rank, previous = position, (score.veto, score.total)
        score.rank = rank
    others = [s for s in scores if s.total is None]
    return evaluated + others


def district_scores(year: int, *, now: datetime | None = None) -> list[SchoolScore]:
    """Every active school's score for ``year``, ranked. Four queries, whatever the size."""
    now = now or timezone.now()
    start, end = year_bounds(year)
    scores = _schools()
    by_id = {score.school_id: score for score in scores}
    for row in _evaluation_rows(start, end):
        score = by_id.get(row["school_id"])
        if score is not None and row["n"]:
            score.evaluations = row["n"]
            score.checklist_percent = Decimal(row["percent_sum"]) / row["n"]
            score.veto = bool(row["vetoes"])
    for row in _notice_rows(start, end, now):
        score = by_id.get(row["unit_id"])
        if score is not None:
            score.notices_counted, score.notices_on_time = row["n"], row["on_time"]
            score.overdue_open = row["overdue"]
    for row in _planned_rows(year, local_day(now)):
        score = by_id.get(row["school_id"])
        if score is not None:
            score.planned_due, score.planned_on_time = row["n"], row["on_time"]
    for score in scores:
        score.compute()
    return _rank(scores)


def _visible_school_ids(user: Any) -> frozenset[int] | None:
    """None: the whole district; else the schools whose evaluation ``user`` may read."""
    scope = getattr(user, "scope", None)
    if scope is None:
        return frozenset()
    if scope.has_role(*BUREAU_ROLES):
        return None
    return frozenset(
        unit_id
        for unit_id in scope.school_unit_ids
        if scope.has_role(*SCHOOL_READERS, unit_id=unit_id)
    )


def evaluation_ranking(*, user: Any, year: int, now: datetime | None = None) -> list[SchoolScore]:
    """The district ranking for ``year``: every school for the bureau; a school's readers get
    only their own school's row (with its district rank); anyone else nothing."""
    visible = _visible_school_ids(user)
    if visible is not None and not visible:
        return []
    scores = district_scores(year, now=now)
    if visible is None:
        return scores
    return [score for score in scores if score.school_id in visible]


def evaluation_school_get(*, user: Any, school_id: int) -> Unit | None:
    """The school whose evaluation ``user`` may read (None: not there or not theirs)."""
    visible = _visible_school_ids(user)
    schools = Unit.objects.filter(kind=UnitKind.SCHOOL, pk=school_id)
    if visible is not None:
        schools = schools.filter(pk__in=visible)
    return schools.first()


def evaluation_breakdown(
    *, user: Any, school: Unit, year: int, now: datetime | None = None
) -> Breakdown | None:
    """One school's parts with the numbers behind them, its evaluation inspections and its
    notices (None when ``user`` may not read this school's evaluation)."""
    if evaluation_school_get(user=user, school_id=school.pk) is None:
        return None
    now = now or timezone.now()
    scores = district_scores(year, now=now)
    score = next((s for s in scores if s.school_id == school.pk), None)
    if score is None:  # an inactive school: scored on its own, unranked
        score = SchoolScore(
            school_id=school.pk, code=school.code, name=school.display_name, school_kind=""
        )
        score.compute()
    start, end = year_bounds(year)
    inspections = list(
        Inspection.objects.filter(
            school=school,
            kind=TemplateKind.EVALUATION,
            status=InspectionStatus.SUBMITTED,
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        .select_related("version__template", "inspector")
        .order_by("submitted_at", "pk")
    )
    notices = list(
        Rectification.objects.filter(_notice_filter(start, end, now), unit=school).order_by(
            "due_at", "pk"
        )
    )
    overdue = [n for n in notices if n.status in OPEN_NOTICE and n.due_at and n.due_at < now]
    ranked = sum(1 for s in scores if s.rank is not None)
    return Breakdown(score, year, ranked, inspections, notices, overdue)


def grade_distribution(scores: list[SchoolScore]) -> list[tuple[str, str, int]]:
    """(grade, label, number of schools) in band order."""
    counts = dict.fromkeys(Grade.ORDER, 0)
    for score in scores:
        counts[score.grade] += 1
    return [(grade, str(Grade.LABELS[grade]), counts[grade]) for grade in Grade.ORDER]


def method_lines() -> list[str]:
    """ "How the score is computed", for the page, with the weights in force."""
    from django.utils.translation import gettext as t

    return [
        t(
            "Evaluation checklists: the average score of the year's submitted evaluation "
            "inspections × %(weight)s / 100. A school without one is not evaluated and is "
            "listed after the ranked schools."
        )
        % {"weight": rule("evaluation_weight_checklist")},
        t(
            "Rectification on time: the share of the year's rectification notices verified "
            "by their deadline × %(weight)s (notices not yet due are not counted yet; none: "
            "full points)."
        )
        % {"weight": rule("evaluation_weight_timeliness")},
        t(
            "Planned inspections on time: the share of the year's planned inspections due so "
            "far that were submitted by their due day × %(weight)s (none due: full points)."
        )
        % {"weight": rule("evaluation_weight_self_inspection")},
        t(
            "Penalty: %(points)s points for each rectification notice still overdue, at most "
            "%(cap)s."
        )
        % {
            "points": rule("evaluation_overdue_penalty"),
            "cap": rule("evaluation_overdue_penalty_cap"),
        },
        t(
            "A failed veto item in an evaluation grades the school “Fail” whatever its total "
            "and ranks it below every school without one."
        ),
        t("Grades: Excellent ≥ %(excellent)s, Good ≥ %(good)s, Pass ≥ %(pass)s, Fail below.")
        % {
            "excellent": rule("evaluation_grade_excellent"),
            "good": rule("evaluation_grade_good"),
            "pass": rule("evaluation_grade_pass"),
        },
        t(
            "Incidents and safety education are counted once the incidents and education "
            "modules exist."
        ),
    ]


def years_offered(now: datetime | None = None, back: int = 4) -> list[int]:
    this = current_year(now)
    return list(range(this, this - back - 1, -1))


__all__ = [
    "EVALUATION_READERS",
    "Breakdown",
    "Grade",
    "SchoolScore",
    "district_scores",
    "evaluation_breakdown",
    "evaluation_ranking",
    "evaluation_school_get",
    "grade_distribution",
    "method_lines",
    "year_bounds",
]
