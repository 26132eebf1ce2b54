"""Merging a duplicate lead into another, from the lead page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest
from safecampus.leads.forms import LeadMergeForm
from safecampus.leads.permissions import TRIAGE
from safecampus.leads.services.merging import lead_merge, merge_target
from safecampus.leads.views.leads import detail_page, lead_or_404


class LeadMergeView(AccessMixin, View):
    """Merge this lead into another (the duplicate into the lead that carries on); a refusal
    shows the page again with the reason."""

    access = TRIAGE
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int) -> HttpResponse:
        lead = lead_or_404(request, lead_id)
        form = LeadMergeForm(request.POST)
        if not form.is_valid():
            return detail_page(request, lead, error=_("Say which lead to merge into."), status=400)
        try:
            into = merge_target(user=request.user, text=form.cleaned_data["into"])
            lead_merge(actor=request.user, lead=lead, into=into, note=form.cleaned_data["note"])
        except DomainError as error:
            lead = lead_or_404(request, lead_id)
            return detail_page(request, lead, error=str(error.message), status=error.status_code)
        messages.success(
            request,
            _("%(lead)s was merged into %(into)s.")
            % {"lead": lead.reference, "into": into.reference},
        )
        return redirect("leads:detail", lead_id=into.pk)
