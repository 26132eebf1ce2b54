"""A partner agency works a transferred lead from its page: accept, progress, return."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest
from safecampus.leads.forms import TransferActionForm
from safecampus.leads.permissions import ACTORS
from safecampus.leads.services import feedback
from safecampus.leads.views.leads import detail_page, lead_or_404


class TransferActionView(AccessMixin, View):
    """The receiving agency (or the bureau on its behalf) answers one transfer of a lead."""

    access = ACTORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int, transfer_id: int) -> HttpResponse:
        lead = lead_or_404(request, lead_id)
        form = TransferActionForm(request.POST)
        if not form.is_valid():
            return detail_page(
                request, lead, error=_("The request was not understood."), status=400
            )
        action, note = form.cleaned_data["action"], form.cleaned_data["note"]
        try:
            feedback.lead_transfer_act(
                actor=request.user, lead=lead, transfer_id=transfer_id, action=action, note=note
            )
        except DomainError as error:
            lead = lead_or_404(request, lead_id)
            return detail_page(request, lead, error=str(error.message), status=error.status_code)
        messages.success(request, _("Saved."))
        return redirect("leads:detail", lead_id=lead_id)
