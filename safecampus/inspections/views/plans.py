"""Pages of inspection plans (检查计划): the list with due/overdue/done counts, create, edit,
generate now, stop and restart."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest
from safecampus.core.localtime import local_day
from safecampus.inspections.choices import InspectionStatus
from safecampus.inspections.forms.templates import (
    PlanForm,
)
from safecampus.inspections.models import (
    Inspection,
    InspectionPlan,
)
from safecampus.inspections.permissions import PLAN_EDITORS, PLAN_READERS
from safecampus.inspections.services import plans as plan_services
from safecampus.organizations.choices import SchoolKind

BODY = "inspections/templates/partials/_version_body.html"


def _plan(request: AuthedRequest, plan_id: int) -> InspectionPlan:
    plan = InspectionPlan.objects.visible_to(request.user).filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    return plan


# --- plans ----------------------------------------------------------------------------


def _plan_counts(plan_ids: list[int], today: Any) -> dict[int, dict[str, int]]:
    """Per plan: schools chosen, inspections due, overdue and done — one grouped query
    each, never a join of schools with inspections (a district has hundreds of thousands)."""
    open_statuses = [InspectionStatus.DUE, InspectionStatus.DRAFT]
    counts: dict[int, dict[str, int]] = {pk: {} for pk in plan_ids}
    chosen = (
        InspectionPlan.schools.through.objects.filter(inspectionplan_id__in=plan_ids)
        .values("inspectionplan_id")
        .annotate(n=Count("pk"))
    )
    for row in chosen:
        counts[row["inspectionplan_id"]]["schools"] = row["n"]
    made = (
        Inspection.objects.filter(plan_id__in=plan_ids)
        .values("plan_id")
        .annotate(
            due=Count("pk", filter=Q(status__in=open_statuses, due_on__gte=today)),
            overdue=Count("pk", filter=Q(status__in=open_statuses, due_on__lt=today)),
            done=Count("pk", filter=Q(status=InspectionStatus.SUBMITTED)),
        )
    )
    for row in made:
        counts[row["plan_id"]].update(due=row["due"], overdue=row["overdue"], done=row["done"])
    return counts


class PlanListView(AccessMixin, View):
    """The bureau's plans with what they generated: due, overdue and done."""

    access = PLAN_READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        plans = list(
            InspectionPlan.objects.visible_to(request.user)
            .select_related("template", "inspector")
            .order_by("-is_active", "name")
        )
        counts = _plan_counts([plan.pk for plan in plans], local_day(timezone.now()))
        kinds = dict(SchoolKind.choices)
        rows = [
            (
                plan,
                counts.get(plan.pk, {}),
                plan_services.plan_warnings(plan),
                [kinds.get(k, k) for k in plan.school_kinds],
            )
            for plan in plans
        ]
        context = {"rows": rows, "can_edit": PLAN_EDITORS.allows(request.user)}
        return render(request, "inspections/templates/plan_list.html", context)


def _plan_fields(form: PlanForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["schools"] = list(data.get("schools") or [])
    data["school_kinds"] = list(data.get("school_kinds") or [])
    return data


def _visit_rule_hint() -> str:
    from safecampus.core.rules import rule

    return _("A supervising inspector visits each school at least %(least)s times a semester.") % {
        "least": rule("inspector_visits_per_semester")
    }


class PlanCreateView(AccessMixin, View):
    access = PLAN_EDITORS
    template_name = "inspections/templates/plan_form.html"

    def _render(self, request: AuthedRequest, form: PlanForm, status: int = 200) -> HttpResponse:
        context: dict[str, Any] = {
            "form": form,
            "plan": None,
            "warnings": [],
            "hint": _visit_rule_hint(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self._render(request, PlanForm(initial={"starts_on": local_day(timezone.now())}))

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = PlanForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, 400)
        try:
            plan = plan_services.plan_create(actor=request.user, **_plan_fields(form))
        except DomainError as error:
            form.add_error(None, str(error.message))
            return self._render(request, form, error.status_code)
        messages.success(request, _("The plan was created."))
        for warning in plan_services.plan_warnings(plan):
            messages.warning(request, warning)
        return redirect("inspections:plan_list")


class PlanEditView(AccessMixin, View):
    access = PLAN_EDITORS
    template_name = "inspections/templates/plan_form.html"

    def _render(
        self, request: AuthedRequest, plan: InspectionPlan, form: PlanForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "plan": plan,
            "warnings": plan_services.plan_warnings(plan),
            "hint": _visit_rule_hint(),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: AuthedRequest, plan_id: int) -> HttpResponse:
        plan = _plan(request, plan_id)
        return self._render(request, plan, PlanForm(initial=PlanForm.initial_for(plan)))

    def post(self, request: AuthedRequest, plan_id: int) -> HttpResponse:
        plan = _plan(request, plan_id)
        form = PlanForm(request.POST)
        if not form.is_valid():
            return self._render(request, plan, form, 400)
        try:
            plan_services.plan_update(actor=request.user, plan=plan, **_plan_fields(form))
        except DomainError as error:
            form.add_error(None, str(error.message))
            plan.refresh_from_db()
            return self._render(request, plan, form, error.status_code)
        messages.success(request, _("The plan was saved."))
        for warning in plan_services.plan_warnings(plan):
            messages.warning(request, warning)
        return redirect("inspections:plan_list")


class PlanGenerateView(AccessMixin, View):
    """Generate the plan's due inspections now, as the daily task would."""

    access = PLAN_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, plan_id: int) -> HttpResponse:
        plan = _plan(request, plan_id)
        today = local_day(timezone.now())
        if not plan.is_active:
            messages.error(request, _("The plan is not active."))
            return redirect("inspections:plan_list")
        try:
            count = plan_services.plan_generate(
                plan=plan,
                until=plan_services.generation_horizon(plan.frequency, today),
                today=today,
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("inspections:plan_list")
        messages.success(
            request,
            _("%(count)s due inspections were created for “%(plan)s”.")
            % {"count": count, "plan": plan.name},
        )
        return redirect("inspections:plan_list")


class PlanActiveView(AccessMixin, View):
    """Switch a plan on, or off (its future due inspections are cancelled)."""

    access = PLAN_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, plan_id: int) -> HttpResponse:
        plan = _plan(request, plan_id)
        active = request.POST.get("active") == "1"
        cancelled = plan_services.plan_set_active(actor=request.user, plan=plan, active=active)
        if active:
            messages.success(request, _("The plan is active again."))
        else:
            messages.success(
                request,
                _("The plan was stopped; %(count)s due inspections were cancelled.")
                % {"count": cancelled},
            )
        return redirect("inspections:plan_list")
