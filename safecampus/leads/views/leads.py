"""The ledger (台账), a lead's page with the moves the user may make, and the internal report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from safecampus.attachments.selectors import attachment_list
from safecampus.cases.selectors import (
    case_timeline,
    case_transition_list,
    deadline_list,
    transfer_list,
)
from safecampus.cases.services import deadline_label
from safecampus.core.access import Access, AccessMixin
from safecampus.core.errors import ConflictError, DomainError
from safecampus.core.http import AuthedRequest, query_without_page
from safecampus.leads import feedback, persons, portal, reveal, services
from safecampus.leads.choices import HANDLER_ROLES, TRIAGE_ROLES, LeadStatus
from safecampus.leads.duplicates import merge_panel
from safecampus.leads.errors import LeadError
from safecampus.leads.forms import (
    DualReportForm,
    LeadActionForm,
    LeadFilterForm,
    LeadReportForm,
    ReporterMessageForm,
)
from safecampus.leads.imports import may_import
from safecampus.leads.models import Lead
from safecampus.leads.selectors import dual_report_list, lead_get, lead_list
from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES, Role, UnitKind
from safecampus.organizations.models import Unit

READERS = Access.for_roles(BUREAU_ROLES | SCHOOL_ROLES | {Role.PARTNER_LIAISON})
REPORTERS = Access.for_roles(BUREAU_ROLES | SCHOOL_ROLES)
ACTORS = Access.for_roles(TRIAGE_ROLES | HANDLER_ROLES)
TRIAGE = Access.for_roles(TRIAGE_ROLES)
PAGE_SIZE = 50


class LeadListView(AccessMixin, View):
    """The ledger of the leads the user may see, filtered and paginated."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = LeadFilterForm(request.GET or None, user=request.user)
        filters = form.cleaned_data if form.is_valid() else {}
        leads = lead_list(
            user=request.user, **{k: v for k, v in filters.items() if v not in ("", None)}
        ).defer(*persons.PERSON_FIELDS)  # the ledger never shows them: never decrypted
        page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "query": query_without_page(request),
            "can_report": REPORTERS.allows(request.user),
            "can_import": may_import(request.user),
        }
        template = "leads/partials/_lead_table.html" if request.htmx else "leads/lead_list.html"
        return render(request, template, context)


def _lead(request: AuthedRequest, lead_id: int) -> Lead:
    lead = lead_get(user=request.user, lead_id=lead_id)
    if lead is None:
        raise Http404
    return lead


def _detail(
    request: AuthedRequest,
    lead: Lead,
    *,
    error: str = "",
    dual_form: Any = None,
    message_form: Any = None,
    identity: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The lead's page; ``names`` are the persons' names in full, only right after an
    audited reveal (``persons.lead_persons_reveal``), otherwise the page shows the mask."""
    user = request.user
    deadlines = list(deadline_list(user=user, case=lead))
    for deadline in deadlines:
        deadline.display_label = deadline_label(deadline)  # type: ignore[attr-defined]
    moves = [str(move.status) for move in case_transition_list(user=user, case=lead)]
    is_triage = user.scope.has_role(*TRIAGE_ROLES)
    context = {
        "lead": lead,
        "events": case_timeline(user=user, case=lead),
        "deadlines": deadlines,
        "transfers": transfer_list(user=user, case=lead),
        "own_transfers": set(
            feedback.own_pending_transfers(actor=user, lead=lead).values_list("pk", flat=True)
        ),
        "dual_reports": dual_report_list(user=user, lead=lead),
        "attachments": attachment_list(user=user, owner=lead),
        "moves": moves,
        "S": LeadStatus,
        "is_triage": is_triage,
        "schools": Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True).order_by("code")
        if is_triage
        else [],
        "agencies": Unit.objects.filter(
            kind__in=[UnitKind.AGENCY, UnitKind.POLICE_STATION], is_active=True
        ).order_by("code")
        if is_triage
        else [],
        "results": Lead._meta.get_field("result").choices,
        "dual_form": dual_form or DualReportForm(),
        "conversation": portal.lead_conversation(actor=user, lead=lead),
        "message_form": message_form or ReporterMessageForm(),
        "merge": merge_panel(user=user, lead=lead),
        "error": error,
        "identity": identity,
        "names": names or persons.persons_masked(lead),
        "names_shown": names is not None,
        "may_see_names": persons.may_see_persons(user, lead),
        "reveal": {
            "may_request": reveal.can_request(user),
            "active": reveal.reveal_active(actor=user, lead=lead),
            "requests": [
                (r, reveal.can_approve(user, r))
                for r in reveal.reveal_requests(user=user, lead=lead)
            ],
            "has_identity": bool(lead.reporter_name or lead.reporter_contact),
        },
    }
    return render(request, "leads/lead_detail.html", context, status=status)


class LeadDetailView(AccessMixin, View):
    """One lead: facts (never the reporter), timeline, deadlines, transfers, dual reports."""

    access = READERS

    def get(self, request: AuthedRequest, lead_id: int) -> HttpResponse:
        return _detail(request, _lead(request, lead_id))


def _run(action: str, user: Any, lead: Lead, data: dict[str, Any]) -> None:
    note = data.get("note") or ""
    if action == "accept":
        services.lead_accept(actor=user, lead=lead, note=note)
    elif action == "reject":
        services.lead_reject(actor=user, lead=lead, reason=note)
    elif action == "assign":
        if data.get("school") is None:
            raise LeadError(_("Choose a school."), code="bad_school")
        services.lead_assign_school(actor=user, lead=lead, school=data["school"], note=note)
    elif action == "transfer":
        services.lead_transfer(
            actor=user,
            lead=lead,
            to_units=list(data.get("units") or []),
            feedback_days=data.get("feedback_days"),
            note=note,
        )
    elif action == "start":
        services.lead_start_handling(actor=user, lead=lead, note=note)
    elif action == "conclude":
        services.lead_conclude(actor=user, lead=lead, result=data.get("result") or "", note=note)
    elif action == "close":
        services.lead_close(actor=user, lead=lead, note=note)
    elif action == "reopen":
        services.lead_reopen(actor=user, lead=lead, reason=note)
    elif action == "progress":
        feedback.lead_progress(actor=user, lead=lead, note=note)
    elif action == "spam":
        services.lead_mark_spam(actor=user, lead=lead, spam=not lead.is_spam)


def _check_version(lead: Lead, version: int | None) -> None:
    """Refuse a move made from a page showing an older state of the lead (two officers
    acting at once); the row stays locked until the move is written."""
    current = (
        Lead.objects.select_for_update().filter(pk=lead.pk).values_list("lock_version", flat=True)
    )
    if version is not None and version != current.first():
        raise ConflictError(
            _("Someone else changed this lead meanwhile. Look at it again and retry."),
            code="stale",
        )


class LeadActionView(AccessMixin, View):
    """Make one move on a lead (accept, reject, assign, transfer, handle, conclude, close,
    reopen, spam); a refused move shows the page again with the reason."""

    access = ACTORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int) -> HttpResponse:
        lead = _lead(request, lead_id)
        form = LeadActionForm(request.POST)
        if not form.is_valid():
            return _detail(request, lead, error=_("The request was not understood."), status=400)
        try:
            with transaction.atomic():
                _check_version(lead, form.cleaned_data.get("version"))
                _run(form.cleaned_data["action"], request.user, lead, form.cleaned_data)
        except DomainError as error:
            lead = _lead(request, lead_id)
            return _detail(request, lead, error=str(error.message), status=error.status_code)
        messages.success(request, _("Saved."))
        if lead_get(user=request.user, lead_id=lead_id) is None:
            return redirect("leads:list")
        return redirect("leads:detail", lead_id=lead_id)


class DualReportAddView(AccessMixin, View):
    """Record the second report of R-2.2 (local government or a department)."""

    access = TRIAGE
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int) -> HttpResponse:
        lead = _lead(request, lead_id)
        form = DualReportForm(request.POST)
        if not form.is_valid():
            return _detail(request, lead, dual_form=form, status=400)
        try:
            services.lead_dual_report_add(actor=request.user, lead=lead, **form.cleaned_data)
        except DomainError as error:
            return _detail(request, lead, error=str(error.message), status=error.status_code)
        messages.success(request, _("The report was recorded."))
        return redirect("leads:detail", lead_id=lead_id)


class ReporterMessageView(AccessMixin, View):
    """The bureau safety section writes to a portal reporter (read with the receipt)."""

    access = TRIAGE
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int) -> HttpResponse:
        lead = _lead(request, lead_id)
        form = ReporterMessageForm(request.POST)
        if not form.is_valid():
            return _detail(request, lead, message_form=form, status=400)
        try:
            portal.lead_message_reporter(
                actor=request.user, lead=lead, body=form.cleaned_data["body"]
            )
        except DomainError as error:
            return _detail(request, lead, error=str(error.message), status=error.status_code)
        messages.success(request, _("The message was sent to the reporter."))
        return redirect("leads:detail", lead_id=lead_id)


class LeadReportView(AccessMixin, View):
    """Enter a lead from inside the app; a school reports its own screening (排查)."""

    access = REPORTERS
    template_name = "leads/lead_form.html"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": LeadReportForm(user=request.user)})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = LeadReportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["files"] = data.pop("evidence")
            try:
                lead = services.lead_report(actor=request.user, **data)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(
                    request, _("Lead %(reference)s was recorded.") % {"reference": lead.reference}
                )
                if lead_get(user=request.user, lead_id=lead.pk) is None:
                    return redirect("leads:list")
                return redirect("leads:detail", lead_id=lead.pk)
        else:
            status = 400
        return render(request, self.template_name, {"form": form}, status=status)
