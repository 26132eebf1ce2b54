"""The ledger (台账), a lead's page with the moves the user may make, and the internal report.

``lead_or_404`` and ``detail_page`` are the lead page's, shared by the other views of one
lead (moves, transfers, reveal, merge), which answer a refusal with the page itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest
from safecampus.core.pagination import keyset_page
from safecampus.leads import persons
from safecampus.leads.choices import TRIAGE_ROLES, LeadStatus
from safecampus.leads.forms import (
    DualReportForm,
    LeadActionForm,
    LeadFilterForm,
    LeadReportForm,
    ReporterMessageForm,
)
from safecampus.leads.models import Lead
from safecampus.leads.permissions import (
    ACTORS,
    READERS,
    REPORTERS,
    TRIAGE,
    can_approve_reveal,
    can_request_reveal,
    may_import,
    may_see_persons,
)
from safecampus.leads.selectors.duplicates import merge_panel
from safecampus.leads.selectors.leads import dual_report_list, lead_get, lead_ledger
from safecampus.leads.services import feedback, portal, reveal
from safecampus.leads.services import leads as services
from safecampus.leads.services.actions import lead_act, lead_version_check
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit

PAGE_SIZE = 50
#: What a ledger row shows, and nothing more is read (the order's keys included).
LEDGER_COLUMNS = (
    "reference",
    "title",
    "status",
    "urgency",
    "is_spam",
    "created_at",
    "category__name",
    "category__name_en",
    "school__name",
)


class LeadListView(AccessMixin, View):
    """The ledger of the leads the user may see, filtered and paginated."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = LeadFilterForm(request.GET or None, user=request.user)
        filters = form.cleaned_data if form.is_valid() else {}
        leads, total = lead_ledger(
            user=request.user,
            columns=LEDGER_COLUMNS,  # no persons, reporter or description: never decrypted
            **{k: v for k, v in filters.items() if v not in ("", None)},
        )
        # Keyset pages (received time desc, id desc): no OFFSET walk, no full count.
        page = keyset_page(
            leads, size=PAGE_SIZE, after=request.GET.get("after"), before=request.GET.get("before")
        )
        query = request.GET.copy()
        for name in ("after", "before", "page"):
            query.pop(name, None)
        context = {
            "form": form,
            "page": page,
            "count": total.value,
            "count_is_estimate": total.is_estimate,
            "count_grouped": total.grouped,
            "query": query.urlencode(),
            "can_report": REPORTERS.allows(request.user),
            "can_import": may_import(request.user),
            # Rows link as prefix + id: 50 reverse() calls were ~2.5 ms of a cold page.
            "detail_prefix": reverse("leads:list"),
        }
        template = "leads/partials/_lead_table.html" if request.htmx else "leads/lead_list.html"
        return render(request, template, context)


def lead_or_404(request: AuthedRequest, lead_id: int) -> Lead:
    """The lead ``lead_id`` if the user sees it; any other lead is a 404."""
    lead = lead_get(user=request.user, lead_id=lead_id)
    if lead is None:
        raise Http404
    return lead


def detail_page(
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
    audited reveal (``services.persons.lead_persons_reveal``), otherwise the page shows the mask."""
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
        "may_see_names": may_see_persons(user, lead),
        "reveal": {
            "may_request": can_request_reveal(user),
            "active": reveal.reveal_active(actor=user, lead=lead),
            "requests": [
                (r, can_approve_reveal(user, r))
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
        return detail_page(request, lead_or_404(request, lead_id))


class LeadActionView(AccessMixin, View):
    """Make one move on a lead (accept, reject, assign, transfer, handle, conclude, close,
    reopen, spam); a refused move shows the page again with the reason."""

    access = ACTORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int) -> HttpResponse:
        lead = lead_or_404(request, lead_id)
        form = LeadActionForm(request.POST)
        if not form.is_valid():
            return detail_page(
                request, lead, error=_("The request was not understood."), status=400
            )
        try:
            with transaction.atomic():
                lead_version_check(lead=lead, version=form.cleaned_data.get("version"))
                lead_act(
                    actor=request.user,
                    lead=lead,
                    action=form.cleaned_data["action"],
                    data=form.cleaned_data,
                )
        except DomainError as error:
            lead = lead_or_404(request, lead_id)
            return detail_page(request, lead, error=str(error.message), status=error.status_code)
        messages.success(request, _("Saved."))
        if lead_get(user=request.user, lead_id=lead_id) is None:
            return redirect("leads:list")
        return redirect("leads:detail", lead_id=lead_id)


class DualReportAddView(AccessMixin, View):
    """Record the second report of R-2.2 (local government or a department)."""

    access = TRIAGE
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int) -> HttpResponse:
        lead = lead_or_404(request, lead_id)
        form = DualReportForm(request.POST)
        if not form.is_valid():
            return detail_page(request, lead, dual_form=form, status=400)
        try:
            services.lead_dual_report_add(actor=request.user, lead=lead, **form.cleaned_data)
        except DomainError as error:
            return detail_page(request, lead, error=str(error.message), status=error.status_code)
        messages.success(request, _("The report was recorded."))
        return redirect("leads:detail", lead_id=lead_id)


class ReporterMessageView(AccessMixin, View):
    """The bureau safety section writes to a portal reporter (read with the receipt)."""

    access = TRIAGE
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int) -> HttpResponse:
        lead = lead_or_404(request, lead_id)
        form = ReporterMessageForm(request.POST)
        if not form.is_valid():
            return detail_page(request, lead, message_form=form, status=400)
        try:
            portal.lead_message_reporter(
                actor=request.user, lead=lead, body=form.cleaned_data["body"]
            )
        except DomainError as error:
            return detail_page(request, lead, error=str(error.message), status=error.status_code)
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
