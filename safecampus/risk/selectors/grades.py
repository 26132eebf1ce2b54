"""Reads of the monthly grades, always through ``visible_to``: the bureau reads the district,
a school its own grades only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from safecampus.core.i18n import localized, reading_english
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit
from safecampus.risk.choices import LEVEL_ORDER, WarningLevel
from safecampus.risk.grading import DEFAULT_BANDS, FACTOR_LABELS, month_start, previous_month
from safecampus.risk.models import RiskGrade, RiskLevelBand, SeasonalRisk

#: Level → the shell's colour class number (1 red … 4 blue).
LEVEL_CLASS = {level: LEVEL_ORDER[level] + 1 for level in WarningLevel}
#: Orders the table offers; "change" puts the schools that worsened most first.
ORDERS = ("-score", "score", "level", "-level", "change", "-change", "name")
TOP_FACTORS = 3


def bands() -> list[tuple[str, int]]:
    """(level, least score), highest first: the bureau's table, else the defaults."""
    rows = list(RiskLevelBand.objects.order_by("-min_score").values_list("level", "min_score"))
    return rows or list(DEFAULT_BANDS)


def _steps(level: str) -> int:
    return LEVEL_ORDER[WarningLevel(level)]


#: How ``grading.compute_factors`` joins the seasonal risks' titles in a factor's value.
TITLE_SEPARATOR = "、"


def seasonal_titles() -> dict[str, str]:
    """Seasonal risks' Chinese titles → the titles in the reader's language; empty when the
    reader reads Chinese (nothing to replace)."""
    if not reading_english():
        return {}
    risks = SeasonalRisk.objects.only("title", "title_en")
    return {risk.title: localized(risk, "title") for risk in risks}


def _seasonal_value(value: str, titles: Mapping[str, str]) -> str:
    """The stored value of the seasonal factor (Chinese titles, joined as the grade was
    computed) in the reader's language. Titles may contain the separator themselves, so
    they are matched whole, longest first; a title since renamed leaves the value as it was."""
    known = sorted(titles, key=len, reverse=True)
    parts, rest = [], value
    while rest:
        title = next((t for t in known if rest.startswith(t)), None)
        if title is None:
            return value
        parts.append(titles[title])
        rest = rest[len(title) :].removeprefix(TITLE_SEPARATOR)
    return ", ".join(parts)


def factor_rows(
    factors: list[dict[str, Any]], titles: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """A grade's factors with their translated labels, most points first; the seasonal
    risks' titles are given in the reader's language (``titles``: ``seasonal_titles()``,
    read here when a seasonal factor needs it)."""
    rows = []
    for f in factors:
        value = f["value"]
        if f["code"] == "seasonal" and isinstance(value, str) and reading_english():
            value = _seasonal_value(value, seasonal_titles() if titles is None else titles)
        label = _(FACTOR_LABELS.get(f["code"], f["code"]))
        rows.append({"code": f["code"], "label": label, "value": value, "points": f["points"]})
    return sorted(rows, key=lambda row: -row["points"])


@dataclass
class GradeRow:
    grade: RiskGrade
    school_name: str
    school_code: str
    school_kind: str
    previous_level: str | None = None
    previous_score: int | None = None
    top_factors: list[dict[str, Any]] = field(default_factory=list)
    level_label: str = ""
    previous_label: str = ""

    @property
    def score_change(self) -> int | None:
        return None if self.previous_score is None else self.grade.score - self.previous_score

    @property
    def level_change(self) -> int | None:
        """Steps up (positive: a higher, worse level) since the month before."""
        if self.previous_level is None:
            return None
        return _steps(self.previous_level) - _steps(self.grade.level)

    @property
    def adjusted(self) -> bool:
        return self.grade.adjusted_at is not None

    @property
    def level_class(self) -> int:
        return LEVEL_CLASS[WarningLevel(self.grade.level)]


def _sort_key(order: str) -> Any:
    keys: dict[str, Any] = {
        "-score": lambda r: (-r.grade.score, r.school_code),
        "score": lambda r: (r.grade.score, r.school_code),
        "level": lambda r: (_steps(r.grade.level), -r.grade.score, r.school_code),
        "-level": lambda r: (-_steps(r.grade.level), r.grade.score, r.school_code),
        "change": lambda r: (-(r.level_change or 0), -(r.score_change or 0), r.school_code),
        "-change": lambda r: (r.level_change or 0, r.score_change or 0, r.school_code),
        "name": lambda r: r.school_code,
    }
    return keys.get(order, keys["-score"])


def grade_table(
    *,
    user: Any,
    month: date,
    level: str | None = None,
    school_kind: str | None = None,
    order: str = "-score",
) -> list[GradeRow]:
    """The month's grades the user may see, with last month's level and score beside each
    (two queries whatever the number of schools; an English reader's seasonal factors read
    the calendar's titles once more)."""
    month = month_start(month)
    grades = RiskGrade.objects.visible_to(user).filter(month=month)
    if level:
        grades = grades.filter(level=level)
    if school_kind:
        grades = grades.filter(school__school__school_kind=school_kind)
    grades = grades.select_related("school", "school__school")
    titles: dict[str, str] | None = None  # read once, at the first seasonal factor
    previous = {
        school_id: (lvl, score)
        for school_id, lvl, score in RiskGrade.objects.visible_to(user)
        .filter(month=previous_month(month))
        .values_list("school_id", "level", "score")
    }
    rows = []
    for grade in grades:
        if titles is None and any(f.get("code") == "seasonal" for f in grade.factors):
            titles = seasonal_titles()
        school = grade.school
        facts = getattr(school, "school", None)
        before = previous.get(grade.school_id)
        rows.append(
            GradeRow(
                grade=grade,
                school_name=school.name,
                school_code=school.code,
                school_kind=facts.get_school_kind_display() if facts else "",
                previous_level=before[0] if before else None,
                previous_score=before[1] if before else None,
                top_factors=factor_rows(grade.factors, titles)[:TOP_FACTORS],
            )
        )
    return sorted(rows, key=_sort_key(order))


def level_counts(*, user: Any, month: date) -> dict[str, int]:
    """Schools per level (every level present, highest first) for the month."""
    rows = (
        RiskGrade.objects.visible_to(user)
        .filter(month=month_start(month))
        .values("level")
        .annotate(n=Count("id"))
    )
    found = {row["level"]: row["n"] for row in rows}
    return {level: found.get(level, 0) for level in WarningLevel.values}


def latest_month(*, user: Any) -> date | None:
    """The latest month with grades the user may see."""
    value = RiskGrade.objects.visible_to(user).aggregate(m=Max("month"))["m"]
    return value if isinstance(value, date) else None


def graded_months(*, user: Any, school: Unit | None = None, limit: int = 24) -> list[date]:
    """The latest months with grades the user may see (of one school if given)."""
    qs = RiskGrade.objects.visible_to(user)
    if school is not None:
        qs = qs.filter(school=school)
    months = qs.values_list("month", flat=True).distinct().order_by("-month")
    return list(months[:limit])


def school_get(*, user: Any, school_id: int) -> Unit | None:
    """A school the user may see (the bureau: any; a school: itself), else None."""
    scope = getattr(user, "scope", None)
    if scope is None or not (scope.district_wide or school_id in scope.school_unit_ids):
        return None
    return Unit.objects.filter(pk=school_id, kind=UnitKind.SCHOOL).select_related("school").first()


def school_by_code(*, user: Any, code: str) -> Unit | None:
    unit = Unit.objects.filter(code=code, kind=UnitKind.SCHOOL).only("pk").first()
    return school_get(user=user, school_id=unit.pk) if unit else None


def grade_detail(*, user: Any, school: Unit, month: date) -> RiskGrade | None:
    """The school's grade for the month, if the user may see it."""
    return (
        RiskGrade.objects.visible_to(user)
        .filter(school=school, month=month_start(month))
        .select_related("adjusted_by")
        .first()
    )


def trend_months(end: date, months: int = 12) -> list[date]:
    """The ``months`` months ending with ``end``, oldest first."""
    result = [month_start(end)]
    while len(result) < months:
        result.insert(0, previous_month(result[0]))
    return result


def school_trend(
    *, user: Any, school: Unit, months: int = 12, end: date | None = None
) -> list[tuple[date, RiskGrade | None]]:
    """The school's grades of the ``months`` months up to ``end`` (default: its latest
    graded month), a month without a grade given as None (a gap in the chart)."""
    grades = RiskGrade.objects.visible_to(user).filter(school=school)
    if end is None:
        end = grades.aggregate(m=Max("month"))["m"]
        if end is None:
            return []
    span = trend_months(end, months)
    found = {g.month: g for g in grades.filter(month__gte=span[0], month__lte=span[-1])}
    return [(m, found.get(m)) for m in span]


def band_rows() -> list[dict[str, Any]]:
    """The warning levels, highest first, with their label (in the reader's language),
    lowest score and colour."""
    stored = {b.level: b for b in RiskLevelBand.objects.all()}
    defaults = {"red": "#d32f2f", "orange": "#ef6c00", "yellow": "#f2b705", "blue": "#1e6fd9"}
    rows = []
    for level, least in bands():
        band = stored.get(level)
        rows.append(
            {
                "level": level,
                "label": localized(band, "label") if band else str(WarningLevel(level).label),
                "min_score": least,
                "color": (band.color if band and band.color else defaults[level]),
                "css": LEVEL_CLASS[WarningLevel(level)],
            }
        )
    return rows


def adjustment_history(*, user: Any, school: Unit, limit: int = 50) -> list[dict[str, Any]]:
    """Adjustments of the school's grades (and their undoing), newest first, from the audit
    trail: a grade keeps only its latest adjustment, the trail keeps every one."""
    from safecampus.audit.models import AuditEvent

    grades = dict(
        RiskGrade.objects.visible_to(user).filter(school=school).values_list("pk", "month")
    )
    if not grades:
        return []
    events = AuditEvent.objects.filter(
        object_type=RiskGrade._meta.label_lower,
        object_id__in=[str(pk) for pk in grades],
        action__in=["risk.riskgrade.adjusted", "risk.riskgrade.adjustment_cleared"],
    ).order_by("-at", "-pk")[:limit]
    history = []
    for event in events:
        old, new = (event.changes.get("level") or [None, None])[:2]
        history.append(
            {
                "at": event.at,
                "month": grades.get(int(event.object_id)),
                "actor": event.actor_label,
                "old": old,
                "new": new,
                "reason": event.changes.get("reason", ""),
                "cleared": event.action.endswith("cleared"),
            }
        )
    return history
