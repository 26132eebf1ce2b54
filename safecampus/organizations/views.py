"""Responsibility (R-1.1, R-8.1) and the school register."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from safecampus.attachments.models import Attachment
from safecampus.audit.services import audit_record_access
from safecampus.core.access import Access, AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest, query_without_page
from safecampus.organizations import selectors
from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES
from safecampus.organizations.forms import (
    DesignationEndForm,
    DesignationForm,
    ResponsibilityFilterForm,
    SchoolFilterForm,
    WorkPlanUploadForm,
)
from safecampus.organizations.models import School, Unit, WorkPlanVersion
from safecampus.organizations.services import (
    DESIGNATORS,
    designation_end,
    designation_name,
    work_plan_version_add,
)

BUREAU = Access.for_roles(BUREAU_ROLES)
STAFF = Access.for_roles(BUREAU_ROLES | SCHOOL_ROLES)


class ResponsibilityView(AccessMixin, View):
    """Who answers for safety work in every unit; units with nobody named come first."""

    access = BUREAU

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = ResponsibilityFilterForm(request.GET or None)
        kind = form.cleaned_data["kind"] if form.is_valid() else ""
        rows = selectors.responsibility_rows(user=request.user, kind=kind)
        missing = [r for r in rows if r.missing_designated]
        context = {"form": form, "rows": rows, "missing": len(missing), "total": len(rows)}
        template = (
            "organizations/partials/_responsibility_table.html"
            if request.htmx
            else "organizations/responsibility.html"
        )
        return render(request, template, context)


class DesignationView(AccessMixin, View):
    """A unit's designated person (专人, R-1.1): who it is, name or replace them, end the
    designation with a reason, and the history of who was named by whom."""

    access = BUREAU

    def _unit(self, request: AuthedRequest, code: str) -> Unit:
        unit = selectors.designation_unit_get(user=request.user, code=code)
        if unit is None:
            raise Http404
        return unit

    def _page(
        self,
        request: AuthedRequest,
        unit: Unit,
        *,
        form: DesignationForm | None = None,
        end_form: DesignationEndForm | None = None,
        error: str = "",
        status: int = 200,
    ) -> HttpResponse:
        members = selectors.designation_candidates(unit=unit)
        history = selectors.designation_history(unit=unit)
        context = {
            "unit": unit,
            "current": next((d for d in history if d.ended_at is None), None),
            "history": history,
            "form": form or DesignationForm(members=members),
            "end_form": end_form or DesignationEndForm(),
            "may_designate": request.user.scope.has_role(*DESIGNATORS),
            "error": error,
        }
        return render(request, "organizations/designation.html", context, status=status)

    def get(self, request: AuthedRequest, code: str) -> HttpResponse:
        return self._page(request, self._unit(request, code))

    def post(self, request: AuthedRequest, code: str) -> HttpResponse:
        unit = self._unit(request, code)
        ending = request.POST.get("action") == "end"
        members = selectors.designation_candidates(unit=unit)
        form = DesignationForm(None if ending else request.POST, members=members)
        end_form = DesignationEndForm(request.POST if ending else None)
        bound = end_form if ending else form
        if not bound.is_valid():
            return self._page(request, unit, form=form, end_form=end_form, status=400)
        try:
            if ending:
                designation_end(actor=request.user, unit=unit, note=end_form.cleaned_data["note"])
            else:
                designation_name(
                    actor=request.user,
                    unit=unit,
                    user=form.person_user(),
                    note=form.cleaned_data["note"],
                )
        except DomainError as error:
            return self._page(
                request, unit, form=form, end_form=end_form, error=str(error.message),
                status=error.status_code,
            )  # fmt: skip
        messages.success(request, _("The designation was recorded."))
        return redirect("organizations:designation", code=unit.code)


class PhoneRevealView(AccessMixin, View):
    """Show one person's full phone number to the bureau; every reveal is an audited read."""

    access = BUREAU

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        membership = selectors.membership_get(user=request.user, pk=pk)
        if membership is None:
            raise Http404
        audit_record_access(actor=request.user, obj=membership.user, field="phone", request=request)
        return render(request, "organizations/partials/_phone.html", {"person": membership.user})


class SchoolListView(AccessMixin, View):
    access = STAFF

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = SchoolFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        schools = selectors.school_list(
            user=request.user, **{k: v for k, v in filters.items() if v not in ("", None)}
        )
        page = Paginator(schools, 50).get_page(request.GET.get("page"))
        markers = [_marker(s) for s in schools if s.unit.latitude is not None]
        context = {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "map": {"markers": markers},
            "query": query_without_page(request),
        }
        template = (
            "organizations/partials/_school_table.html"
            if request.htmx
            else "organizations/school_list.html"
        )
        return render(request, template, context)


class SchoolDetailView(AccessMixin, View):
    access = STAFF

    def get(self, request: AuthedRequest, code: str) -> HttpResponse:
        school = selectors.school_get(user=request.user, code=code)
        if school is None:
            raise Http404
        people = school.unit.memberships.active().select_related("user").order_by("role")
        markers = [_marker(school, link=False)] if school.unit.latitude is not None else []
        context: dict[str, Any] = {
            "school": school,
            "people": people,
            "map": {"markers": markers, "zoom": 15},
        }
        return render(request, "organizations/school_detail.html", context)


def _marker(school: School, *, link: bool = True) -> dict[str, Any]:
    unit = school.unit
    assert unit.latitude is not None and unit.longitude is not None  # callers filter on it
    marker: dict[str, Any] = {
        "lat": float(unit.latitude),
        "lng": float(unit.longitude),
        "label": unit.name,
        "detail": f"{unit.code} · {school.get_school_kind_display()}",
    }
    if link:
        marker["url"] = reverse("organizations:school_detail", args=[unit.code])
    return marker


def _year(request: HttpRequest) -> int:
    current = timezone.localdate().year
    try:
        year = int(request.GET.get("year", current))
    except ValueError:
        return current
    return year if 2000 <= year <= current + 1 else current


class WorkPlanListView(AccessMixin, View):
    """Which units have filed this year's work plan (R-1.2); those that have not come first."""

    access = STAFF

    def get(self, request: AuthedRequest) -> HttpResponse:
        year = _year(request)
        rows = selectors.work_plan_rows(user=request.user, year=year)
        this_year = timezone.localdate().year
        context = {
            "rows": rows,
            "year": year,
            "missing": sum(1 for r in rows if r.plan is None),
            "years": list(range(this_year + 1, this_year - 5, -1)),
        }
        return render(request, "organizations/work_plan_list.html", context)


class WorkPlanDetailView(AccessMixin, View):
    """A unit's plan for one year: every version, and a form to file a new one."""

    access = STAFF

    def _unit(self, request: AuthedRequest, code: str) -> Unit:
        unit = Unit.objects.visible_to(request.user).filter(code=code).first()
        if unit is None or not (
            request.user.scope.district_wide or unit.pk in request.user.scope.school_unit_ids
        ):
            raise Http404
        return unit

    def _render(
        self,
        request: HttpRequest,
        unit: Unit,
        year: int,
        form: WorkPlanUploadForm,
        status: int = 200,
    ) -> HttpResponse:
        plan = selectors.work_plan_get(user=request.user, code=unit.code, year=year)
        versions = list(plan.versions.select_related("uploaded_by")) if plan else []
        documents = _documents(versions)
        for version in versions:
            version.document = documents.get(str(version.pk))
        context = {"unit": unit, "year": year, "plan": plan, "versions": versions, "form": form}
        return render(request, "organizations/work_plan_detail.html", context, status=status)

    def get(self, request: AuthedRequest, code: str, year: int) -> HttpResponse:
        unit = self._unit(request, code)
        plan = selectors.work_plan_get(user=request.user, code=code, year=year)
        initial = {"title": plan.title if plan else _("%(year)s work plan") % {"year": year}}
        return self._render(request, unit, year, WorkPlanUploadForm(initial=initial))

    def post(self, request: AuthedRequest, code: str, year: int) -> HttpResponse:
        unit = self._unit(request, code)
        form = WorkPlanUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, unit, year, form, status=400)
        try:
            work_plan_version_add(
                actor=request.user,
                unit=unit,
                year=year,
                title=form.cleaned_data["title"],
                document=form.cleaned_data["document"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
            return self._render(
                request,
                unit,
                year,
                form,
                status=error.status_code,
            )
        messages.success(request, _("The new version of the work plan was filed."))
        return redirect("organizations:work_plan_detail", code=code, year=year)


def _documents(versions: list[WorkPlanVersion]) -> dict[str, Attachment]:
    from django.contrib.contenttypes.models import ContentType

    if not versions:
        return {}
    owner_type = ContentType.objects.get_for_model(WorkPlanVersion)
    rows = Attachment.objects.filter(
        owner_type=owner_type, owner_id__in=[str(v.pk) for v in versions]
    )
    return {a.owner_id: a for a in rows}
