"""Pages: the safe-campus evaluation (考评) ranking and a school's breakdown, the inspection
ledger and ranking as Excel, and accountability decisions (追责)."""

from __future__ import annotations

import tempfile
from typing import Any
from urllib.parse import quote

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from safecampus.audit.services import audit_record
from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest
from safecampus.core.localtime import CHINA_TZ, local_day
from safecampus.inspections import evaluation as ev
from safecampus.inspections.excel.evaluation import evaluation_write
from safecampus.inspections.excel.inspections import XLSX_MIME, inspection_ledger_write
from safecampus.inspections.forms.evaluation import (
    AccountabilityForm,
    InspectionExportForm,
    YearForm,
)
from safecampus.inspections.models import (
    AccountabilityDecision,
    Inspection,
)
from safecampus.inspections.permissions import (
    ACCOUNTABILITY,
    BUREAU,
    EVALUATION_READERS,
    READERS,
)
from safecampus.inspections.services.accountability import accountability_record
from safecampus.organizations.choices import BUREAU_ROLES, Role

PAGE_SIZE = 50

#: Sort keys of the ranking table: (attribute, empty values last).
SORT_KEYS = {
    "rank": "rank",
    "name": "code",
    "checklist": "checklist",
    "timeliness": "timeliness",
    "self_inspection": "self_inspection",
    "penalty": "penalty",
    "total": "total",
}


def _year(request: AuthedRequest) -> tuple[YearForm, int, str]:
    form = YearForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["year"], form.cleaned_data.get("sort") or "rank"
    return form, ev.current_year(), "rank"


def _sorted(scores: list[ev.SchoolScore], sort: str) -> list[ev.SchoolScore]:
    key = SORT_KEYS.get(sort.lstrip("-"), "rank")
    reverse = sort.startswith("-")
    present = [s for s in scores if getattr(s, key) is not None]
    missing = [s for s in scores if getattr(s, key) is None]
    present.sort(key=lambda s: (getattr(s, key), s.code), reverse=reverse)
    return present + missing


def _chart(distribution: list[tuple[str, str, int]]) -> dict[str, Any]:
    colors = {
        ev.Grade.EXCELLENT: "#2e9e8f",
        ev.Grade.GOOD: "#3a86c8",
        ev.Grade.PASS: "#f2b705",
        ev.Grade.FAIL: "#d32f2f",
        ev.Grade.NONE: "#6b7f95",
    }
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 16, "bottom": 8},
        "xAxis": {"type": "category", "data": [label for _g, label, _n in distribution]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "data": [
                    {"value": n, "itemStyle": {"color": colors[g]}} for g, _label, n in distribution
                ],
            }
        ],
    }


class EvaluationView(AccessMixin, View):
    """The district ranking for a year; a school's reader goes to their own breakdown."""

    access = EVALUATION_READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form, year, sort = _year(request)
        if not request.user.scope.has_role(*BUREAU_ROLES):
            own = ev.evaluation_ranking(user=request.user, year=year)
            if not own:
                raise Http404
            return redirect(f"{_school_url(own[0].school_id)}?year={year}")
        scores = ev.evaluation_ranking(user=request.user, year=year)
        distribution = ev.grade_distribution(scores)
        context = {
            "form": form,
            "year": year,
            "years": ev.years_offered(),
            "sort": sort,
            "scores": _sorted(scores, sort),
            "distribution": distribution,
            "chart": _chart(distribution),
            "evaluated": sum(1 for s in scores if s.evaluated),
            "method": ev.method_lines(),
            "columns": [
                ("rank", _("Rank")),
                ("name", _("School")),
                ("checklist", _("Checklists")),
                ("timeliness", _("Rectification on time")),
                ("self_inspection", _("Planned inspections")),
                ("penalty", _("Penalty")),
                ("total", _("Total")),
            ],
        }
        return render(request, "inspections/evaluation/ranking.html", context)


def _link(obj: Any) -> str:
    """The record's page, or nothing while its part of the app is not wired (NoReverseMatch)."""
    try:
        return str(obj.get_absolute_url())
    except NoReverseMatch:
        return ""


def _school_url(school_id: int) -> str:
    from django.urls import reverse

    return reverse("inspections:evaluation_school", args=[school_id])


class EvaluationSchoolView(AccessMixin, View):
    """One school's evaluation: every part with the numbers and records behind it."""

    access = EVALUATION_READERS

    def get(self, request: AuthedRequest, school_id: int) -> HttpResponse:
        _form, year, _sort = _year(request)
        school = ev.evaluation_school_get(user=request.user, school_id=school_id)
        if school is None:
            raise Http404
        breakdown = ev.evaluation_breakdown(user=request.user, school=school, year=year)
        if breakdown is None:
            raise Http404
        for item in [*breakdown.inspections, *breakdown.notices]:
            item.link = _link(item)  # type: ignore[union-attr,attr-defined]
        context = {
            "school": school,
            "year": year,
            "years": ev.years_offered(),
            "b": breakdown,
            "s": breakdown.score,
            "now": timezone.now(),
            "method": ev.method_lines(),
            "is_bureau": request.user.scope.has_role(*BUREAU_ROLES),
        }
        return render(request, "inspections/evaluation/school.html", context)


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"


def xlsx_response(out: Any, name: str) -> FileResponse:
    out.seek(0)
    day = local_day(timezone.now()).isoformat()
    response = FileResponse(out, content_type=XLSX_MIME)
    response["Content-Disposition"] = _disposition(f"{name}-{day}.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _exported_at() -> str:
    return f"{timezone.localtime(timezone.now(), CHINA_TZ):%Y-%m-%d %H:%M}"


def evaluation_export(request: Any, year: int) -> FileResponse:
    """The ranking of ``year`` as a workbook (bureau)."""
    scores = ev.evaluation_ranking(user=request.user, year=year)
    audit_record(
        actor=request.user,
        action="inspections.evaluation.exported",
        object_type="inspections.evaluation",
        request=request,
        changes={"year": year, "rows": len(scores)},
    )
    out = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it)
    evaluation_write(
        out,
        scores,
        title=_("Safe-campus evaluation %(year)s") % {"year": year},
        subtitle=_("Exported %(time)s (Beijing time) · %(count)d schools")
        % {"time": _exported_at(), "count": len(scores)},
    )
    return xlsx_response(out, _("Safe-campus evaluation") + f"-{year}")


class EvaluationExportView(AccessMixin, View):
    access = BUREAU

    def get(self, request: AuthedRequest) -> FileResponse:
        _form, year, _sort = _year(request)
        return evaluation_export(request, year)


def ledger_inspections(user: Any, filters: dict[str, Any]) -> QuerySet[Inspection]:
    """The inspections ``user`` may see, filtered by year (due on), school, kind, status."""
    inspections = Inspection.objects.visible_to(user)
    if filters.get("year"):
        inspections = inspections.filter(due_on__year=filters["year"])
    if filters.get("school"):
        inspections = inspections.filter(school=filters["school"])
    if filters.get("kind"):
        inspections = inspections.filter(kind=filters["kind"])
    if filters.get("status"):
        inspections = inspections.filter(status=filters["status"])
    return inspections


def inspection_export(request: Any, form: InspectionExportForm) -> FileResponse:
    filters = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
    inspections = ledger_inspections(request.user, filters)
    out = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it)
    shown = "；".join(f"{form.fields[k].label}: {v}" for k, v in filters.items())
    rows = inspection_ledger_write(
        out,
        inspections,
        title=_("Inspection ledger"),
        subtitle=_("Exported %(time)s (Beijing time) · Filters: %(filters)s")
        % {"time": _exported_at(), "filters": shown or _("none")},
    )
    audit_record(
        actor=request.user,
        action="inspections.inspection.exported",
        object_type=Inspection._meta.label_lower,
        request=request,
        changes={"filters": {k: str(v) for k, v in filters.items()}, "rows": rows},
    )
    return xlsx_response(out, _("Inspection ledger"))


class InspectionExportView(AccessMixin, View):
    """The inspection ledger as Excel, filtered by ?year=&school=&kind=&status=."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse | FileResponse:
        form = InspectionExportForm(request.GET, user=request.user)
        if not form.is_valid():
            errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        return inspection_export(request, form)


# --- accountability ---------------------------------------------------------------------


def _accountability_page(
    request: AuthedRequest, form: AccountabilityForm | None, *, status: int = 200, error: str = ""
) -> HttpResponse:
    decisions = AccountabilityDecision.objects.visible_to(request.user).select_related(
        "unit", "hazard", "recorded_by"
    )
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record(
        actor=request.user,
        action="inspections.accountabilitydecision.list_viewed",
        object_type=AccountabilityDecision._meta.label_lower,
        request=request,
        changes={"field": "person_name", "rows": len(page.object_list), "page": page.number},
    )
    can_record = request.user.scope.has_role(Role.BUREAU_LEADER)
    context = {
        "page": page,
        "count": page.paginator.count,
        "form": form or (AccountabilityForm(user=request.user) if can_record else None),
        "can_record": can_record,
        "error": error,
    }
    return render(request, "inspections/evaluation/accountability.html", context, status=status)


class AccountabilityListView(AccessMixin, View):
    """Accountability decisions: the bureau leader records and reads, the auditor reads;
    every reading is in the audit trail."""

    access = ACCOUNTABILITY

    def get(self, request: AuthedRequest) -> HttpResponse:
        return _accountability_page(request, None)


class AccountabilityCreateView(AccessMixin, View):
    """Record a decision (the bureau leader; the service refuses anyone else)."""

    access = ACCOUNTABILITY
    http_method_names = ["post"]

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = AccountabilityForm(request.POST, user=request.user)
        if not request.user.scope.has_role(Role.BUREAU_LEADER):
            return _accountability_page(
                request, None, status=403, error=_("You are not allowed to do this.")
            )
        if not form.is_valid():
            return _accountability_page(request, form, status=400)
        data = form.cleaned_data
        try:
            accountability_record(actor=request.user, **data)
        except DomainError as error:
            form.add_error(None, str(error.message))
            return _accountability_page(request, form, status=error.status_code)
        from django.contrib import messages

        messages.success(request, _("The decision was recorded."))
        return redirect("inspections:accountability_list")
