"""The module's home: the month's grades as a district heat map and a sortable table; each
school's grade with why (the factors that counted), its 12-month trend and adjustments."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest, query_without_page
from safecampus.core.localtime import local_day
from safecampus.core.rules import rule
from safecampus.organizations.models import Unit
from safecampus.risk.choices import WarningLevel
from safecampus.risk.forms.grades import AdjustForm, ComputeForm, GradeFilterForm, parse_month
from safecampus.risk.grading import month_start
from safecampus.risk.models import RiskGrade
from safecampus.risk.permissions import ADJUSTERS, ADJUSTMENT_CLEARERS, MANAGERS, READERS
from safecampus.risk.selectors import grades as selectors
from safecampus.risk.services import grades as services

PAGE_SIZE = 100

#: What each factor means, with the rule that weighs it (shown beside the factors table).
FACTOR_HELP: dict[str, tuple[Any, str]] = {
    "hazard_major": (gettext_lazy("Major hazards open now."), "risk_points_hazard_major"),
    "hazard_serious": (gettext_lazy("Serious hazards open now."), "risk_points_hazard_serious"),
    "hazard_general": (gettext_lazy("General hazards open now."), "risk_points_hazard_general"),
    "rectification_overdue": (
        gettext_lazy("Rectification notices past their time limit and not yet reported."),
        "risk_points_rectification_overdue",
    ),
    "leads_violent": (
        gettext_lazy("Leads about the school received last month in these categories."),
        "risk_points_lead_violent",
    ),
    "leads_other": (
        gettext_lazy("Other leads about the school received last month."),
        "risk_points_lead_other",
    ),
    "alarms_high": (
        gettext_lazy("High and critical alarms last month, false alarms left out."),
        "risk_points_alarm_high",
    ),
    "alarms_unacknowledged": (
        gettext_lazy("Open alarms nobody has acknowledged."),
        "risk_points_alarm_unacknowledged",
    ),
    "devices_offline": (
        gettext_lazy("Share of the enabled security devices that are offline now."),
        "risk_points_devices_offline",
    ),
    "inspections_missed": (
        gettext_lazy("Planned inspections due last month not submitted by their due day."),
        "risk_points_inspection_missed",
    ),
    "register_red": (
        gettext_lazy("Active red risks in the school's risk register."),
        "risk_points_register_red",
    ),
    "register_orange": (
        gettext_lazy("Active orange risks in the school's risk register."),
        "risk_points_register_orange",
    ),
    "seasonal": (
        gettext_lazy("Seasonal risks of the month that apply to this kind of school."),
        "",
    ),
}
#: Where the evidence behind a factor can be read (routes owned by other apps: tried).
FACTOR_EVIDENCE = {
    "hazard_major": "inspections:hazard_list",
    "hazard_serious": "inspections:hazard_list",
    "hazard_general": "inspections:hazard_list",
    "rectification_overdue": "inspections:hazard_list",
    "leads_violent": "leads:list",
    "leads_other": "leads:list",
    "alarms_high": "security:console",
    "alarms_unacknowledged": "security:console",
    "devices_offline": "security:console",
}


def _try_reverse(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _labels() -> dict[str, str]:
    return {band["level"]: band["label"] for band in selectors.band_rows()}


def _month_label(month: date) -> str:
    return f"{month:%Y-%m}"


def _map_data(rows: list[selectors.GradeRow], labels: dict[str, str]) -> dict[str, Any]:
    """Markers for the heat map: schools with a location, coloured by level."""
    colours = {band["level"]: band["color"] for band in selectors.band_rows()}
    markers = []
    for row in rows:
        school = row.grade.school
        if school.latitude is None or school.longitude is None:
            continue
        markers.append(
            {
                "lat": float(school.latitude),
                "lng": float(school.longitude),
                "name": row.school_name,
                "level": row.grade.level,
                "level_label": labels.get(row.grade.level, row.grade.level),
                "score": row.grade.score,
                "color": colours.get(row.grade.level, "#6b7f95"),
                "url": reverse("risk:school_grade", args=[row.grade.school_id])
                + f"?month={_month_label(row.grade.month)}",
            }
        )
    legend = [
        {"level": band["level"], "label": band["label"], "color": band["color"]}
        for band in selectors.band_rows()
    ]
    return {
        "markers": markers,
        "legend": legend,
        "words": {"score": _("Score"), "outline": _("District (extent of its schools)")},
    }


class GradeListView(AccessMixin, View):
    """The month's grades of the district: counts per level, the heat map and the table.
    A school's people go straight to their own school's page."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        scope = request.user.scope
        if not scope.district_wide:
            if not scope.school_unit_ids:
                raise Http404
            return redirect("risk:school_grade", school_id=sorted(scope.school_unit_ids)[0])
        form = GradeFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        month = (
            filters.get("month")
            or selectors.latest_month(user=request.user)
            or month_start(local_day(timezone.now()))
        )
        order = filters.get("order") or "-score"
        rows = selectors.grade_table(
            user=request.user,
            month=month,
            level=filters.get("level") or None,
            school_kind=filters.get("school_kind") or None,
            order=order,
        )
        labels = _labels()
        counts = selectors.level_counts(user=request.user, month=month)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        for row in page:
            row.level_label = labels.get(row.grade.level, row.grade.level)
            if row.previous_level:
                row.previous_label = labels.get(row.previous_level, row.previous_level)
        sort_query = request.GET.copy()
        for key in ("page", "order"):
            sort_query.pop(key, None)
        context = {
            "form": form,
            "month": month,
            "month_label": _month_label(month),
            "page": page,
            "count": len(rows),
            "query": query_without_page(request),
            "order": order,
            "sort_query": sort_query.urlencode(),
            "labels": labels,
            "bands": selectors.band_rows(),
            "counts": [(band, counts.get(band["level"], 0)) for band in selectors.band_rows()],
            "total": sum(counts.values()),
            "map_data": _map_data(rows, labels),
            "unlocated": sum(1 for r in rows if r.grade.school.latitude is None),
            "can_compute": MANAGERS.allows(request.user),
            "compute_form": ComputeForm(initial={"month": _month_label(month)}),
            "months": selectors.graded_months(user=request.user),
        }
        if request.htmx and request.htmx.target == "grade-table":
            return render(request, "risk/grades/partials/_grade_table.html", context)
        return render(request, "risk/grades/grade_list.html", context)


class GradeComputeView(AccessMixin, View):
    """Compute (or recompute) a month's grades now; the result is shown on the list."""

    access = MANAGERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = ComputeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter a month as YYYY-MM."))
            return redirect("risk:grade_list")
        month = form.cleaned_data["month"]
        try:
            run = services.grades_compute(actor=request.user, month=month)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("risk:grade_list")
        messages.success(
            request,
            _(
                "%(month)s graded: %(schools)d schools — red %(red)d, orange %(orange)d, "
                "yellow %(yellow)d, blue %(blue)d."
            )
            % {"month": _month_label(run.month), "schools": run.schools, **run.by_level},
        )
        return redirect(f"{reverse('risk:grade_list')}?month={_month_label(run.month)}")


def _school(request: AuthedRequest, school_id: int) -> Unit:
    school = selectors.school_get(user=request.user, school_id=school_id)
    if school is None:
        raise Http404
    return school


def _may_adjust(user: Any, school: Unit) -> bool:
    scope = user.scope
    return bool(
        scope.has_role(*services.BUREAU_ADJUSTERS)
        or scope.has_role(*services.SCHOOL_ADJUSTERS, unit_id=school.pk)
    )


def _factor_table(grade: RiskGrade | None) -> list[dict[str, Any]]:
    if grade is None:
        return []
    cap = rule("risk_factor_cap")
    rows = selectors.factor_rows(grade.factors)
    for row in rows:
        meaning, weight = FACTOR_HELP.get(row["code"], ("", ""))
        row["meaning"] = meaning
        row["weight"] = rule(weight) if weight else None
        row["cap"] = cap
        name = FACTOR_EVIDENCE.get(row["code"])
        row["evidence_url"] = _try_reverse(name) if name else ""
    return rows


def _trend_chart(trend: list[tuple[date, RiskGrade | None]]) -> dict[str, Any]:
    """An ECharts line of the score, the level bands drawn as coloured areas behind it."""
    bands = selectors.band_rows()
    scores = [grade.score if grade else None for _month, grade in trend]
    top = max([b["min_score"] for b in bands] + [s or 0 for s in scores]) + 20
    areas, upper = [], top
    for band in bands:
        areas.append(
            [
                {
                    "name": band["label"],
                    "yAxis": band["min_score"],
                    "itemStyle": {"color": band["color"], "opacity": 0.12},
                },
                {"yAxis": upper},
            ]
        )
        upper = band["min_score"]
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 16, "top": 24, "bottom": 32},
        "xAxis": {"type": "category", "data": [_month_label(m) for m, _g in trend]},
        "yAxis": {"type": "value", "min": 0, "max": top, "name": _("Score")},
        "series": [
            {
                "type": "line",
                "name": _("Score"),
                "data": scores,
                "connectNulls": False,
                "symbolSize": 8,
                "lineStyle": {"width": 3, "color": "#1b4f8f"},
                "itemStyle": {"color": "#1b4f8f"},
                "markArea": {"silent": True, "label": {"show": False}, "data": areas},
            }
        ],
    }


def _school_page(
    request: AuthedRequest,
    school: Unit,
    month: date | None,
    *,
    form: AdjustForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    grade = None
    if month is None:
        latest = selectors.graded_months(user=user, school=school, limit=1)
        month = latest[0] if latest else None
    if month is not None:
        grade = selectors.grade_detail(user=user, school=school, month=month)
    trend = selectors.school_trend(user=user, school=school, end=month) if month else []
    labels = _labels()
    may_adjust = grade is not None and _may_adjust(user, school)
    css = selectors.LEVEL_CLASS
    trend_rows = [
        (
            m,
            {"css": css[WarningLevel(g.level)], "label": labels.get(g.level), "score": g.score}
            if g
            else None,
        )
        for m, g in reversed(trend)
    ]
    history = selectors.adjustment_history(user=user, school=school)
    for item in history:
        item["old_label"] = labels.get(item["old"] or "", item["old"])
        item["new_label"] = labels.get(item["new"] or "", item["new"])
    context = {
        "school": school,
        "grade": grade,
        "month": month,
        "month_label": _month_label(month) if month else "",
        "labels": labels,
        "grade_class": css[WarningLevel(grade.level)] if grade else 4,
        "grade_label": labels.get(grade.level) if grade else "",
        "computed_label": labels.get(grade.computed_level) if grade else "",
        "trend_rows": trend_rows,
        "factors": _factor_table(grade),
        "trend": list(reversed(trend)),
        "chart": _trend_chart(trend) if trend else None,
        "bands": selectors.band_rows(),
        "history": history,
        "months": selectors.graded_months(user=user, school=school),
        "may_adjust": may_adjust,
        "is_bureau": user.scope.has_role(*services.BUREAU_ADJUSTERS),
        "adjust_form": form or AdjustForm(initial={"level": grade.level} if grade else None),
        "error": error,
        "is_district": user.scope.district_wide,
    }
    return render(request, "risk/grades/school_grade.html", context, status=status)


class SchoolGradeView(AccessMixin, View):
    """A school's grade for a month and why; another school's people get a 404."""

    access = READERS

    def get(self, request: AuthedRequest, school_id: int) -> HttpResponse:
        school = _school(request, school_id)
        month = parse_month(request.GET.get("month", ""))
        return _school_page(request, school, month)


def _grade(request: AuthedRequest, school: Unit, month_text: str) -> tuple[date, RiskGrade]:
    month = parse_month(month_text)
    grade = selectors.grade_detail(user=request.user, school=school, month=month) if month else None
    if month is None or grade is None:
        raise Http404
    return month, grade


class GradeAdjustView(AccessMixin, View):
    """Set a grade's level with a reason (the bureau; a principal only upwards)."""

    access = ADJUSTERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, school_id: int, month: str) -> HttpResponse:
        school = _school(request, school_id)
        when, grade = _grade(request, school, month)
        form = AdjustForm(request.POST)
        if not form.is_valid():
            return _school_page(request, school, when, form=form, status=400)
        try:
            services.grade_adjust(actor=request.user, grade=grade, **form.cleaned_data)
        except DomainError as error:
            return _school_page(
                request, school, when, form=form, error=str(error.message), status=error.status_code
            )
        messages.success(request, _("The grade was adjusted."))
        return redirect(f"{reverse('risk:school_grade', args=[school.pk])}?month={month}")


class GradeAdjustClearView(AccessMixin, View):
    """Return an adjusted grade to its computed level (the bureau)."""

    access = ADJUSTMENT_CLEARERS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, school_id: int, month: str) -> HttpResponse:
        school = _school(request, school_id)
        when, grade = _grade(request, school, month)
        try:
            services.grade_adjust_clear(actor=request.user, grade=grade)
        except DomainError as error:
            return _school_page(
                request, school, when, error=str(error.message), status=error.status_code
            )
        messages.success(request, _("The grade is back to its computed level."))
        return redirect(f"{reverse('risk:school_grade', args=[school.pk])}?month={month}")


__all__ = [
    "GradeAdjustClearView",
    "GradeAdjustView",
    "GradeComputeView",
    "GradeListView",
    "SchoolGradeView",
]
