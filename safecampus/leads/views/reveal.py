"""From the lead's page: the two-person reveal of its reporter, and its handlers' audited view
of the names of the people in it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from safecampus.core.access import Access, AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest
from safecampus.leads.forms import RevealForm
from safecampus.leads.permissions import APPROVER_ROLES, PERSON_ROLES
from safecampus.leads.services import persons, reveal
from safecampus.leads.views.leads import detail_page, lead_or_404


class RevealView(AccessMixin, View):
    """Ask, approve, deny, withdraw — or, with an approval, see the reporter (the page is
    answered directly, never redirected, so the identity is in no URL and no history)."""

    access = Access.for_roles(APPROVER_ROLES)
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int) -> HttpResponse:
        lead = lead_or_404(request, lead_id)
        form = RevealForm(request.POST)
        if not form.is_valid():
            return detail_page(
                request, lead, error=_("The request was not understood."), status=400
            )
        data, user = form.cleaned_data, request.user
        action, request_id, note = data["action"], data["request_id"] or 0, data["note"]
        try:
            if action == "show":
                identity = reveal.reveal_identity(actor=user, lead=lead)
                return detail_page(request, lead, identity=identity)
            if action == "request":
                reveal.reveal_request(actor=user, lead=lead, reason=note)
                done = _("Your request was sent to a second approver.")
            elif action == "withdraw":
                reveal.reveal_withdraw(actor=user, lead=lead, request_id=request_id)
                done = _("Your request was withdrawn.")
            else:
                approve = action == "approve"
                reveal.reveal_decide(
                    actor=user, lead=lead, request_id=request_id, approve=approve, note=note
                )
                done = _("The request was approved.") if approve else _("The request was denied.")
        except DomainError as error:
            return detail_page(request, lead, error=str(error.message), status=error.status_code)
        messages.success(request, done)
        return redirect("leads:detail", lead_id=lead_id)


class PersonsRevealView(AccessMixin, View):
    """A handler of the lead asks to see the names of the people in it; the page answers
    directly with them (never redirected, never cached) and the view is audited. Anyone
    else gets the page with the mask and the reason, and nothing is recorded as shown."""

    access = Access.for_roles(PERSON_ROLES)
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int) -> HttpResponse:
        lead = lead_or_404(request, lead_id)
        try:
            names = persons.lead_persons_reveal(actor=request.user, lead=lead, request=request)
        except DomainError as error:
            return detail_page(request, lead, error=str(error.message), status=error.status_code)
        response = detail_page(request, lead, names=names)
        response["Cache-Control"] = "no-store"
        return response
