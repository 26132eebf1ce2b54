"""A partner agency works a transferred lead from its page: accept, progress, return."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest
from safecampus.leads import feedback
from safecampus.leads.views import ACTORS, _detail, _lead


class TransferActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("accept", "progress", "return")])
    note = forms.CharField(required=False, max_length=2000)


class TransferActionView(AccessMixin, View):
    """The receiving agency (or the bureau on its behalf) answers one transfer of a lead."""

    access = ACTORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int, transfer_id: int) -> HttpResponse:
        lead = _lead(request, lead_id)
        form = TransferActionForm(request.POST)
        if not form.is_valid():
            return _detail(request, lead, error=_("The request was not understood."), status=400)
        action, note = form.cleaned_data["action"], form.cleaned_data["note"]
        try:
            feedback.lead_transfer_act(
                actor=request.user, lead=lead, transfer_id=transfer_id, action=action, note=note
            )
        except DomainError as error:
            lead = _lead(request, lead_id)
            return _detail(request, lead, error=str(error.message), status=error.status_code)
        messages.success(request, _("Saved."))
        return redirect("leads:detail", lead_id=lead_id)
