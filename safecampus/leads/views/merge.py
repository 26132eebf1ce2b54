"""Merging a duplicate lead into another, from the lead page and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.permissions import HasAccess
from safecampus.core.access import Access, AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest
from safecampus.leads.choices import TRIAGE_ROLES
from safecampus.leads.duplicates import duplicate_candidates
from safecampus.leads.errors import LeadError
from safecampus.leads.merging import lead_merge
from safecampus.leads.models import Lead
from safecampus.leads.selectors import lead_get, lead_get_by_reference
from safecampus.leads.views import _detail, _lead

TRIAGE = Access.for_roles(TRIAGE_ROLES)


class LeadMergeForm(forms.Form):
    into = forms.CharField(label=gettext_lazy("Merge into (reference)"), max_length=40, strip=True)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=2000, required=False, strip=True)


def _target(user: Any, text: str) -> Lead:
    """The lead named by its reference (XS-2026-000123) or its number, if ``user`` sees it."""
    text = text.strip()
    lead = lead_get_by_reference(user=user, reference=text.upper())
    if lead is None and text.isdigit():
        lead = lead_get(user=user, lead_id=int(text))
    if lead is None:
        raise LeadError(
            _("No lead has the reference %(reference)s.") % {"reference": text},
            code="unknown_target",
        )
    return lead


class LeadMergeView(AccessMixin, View):
    """Merge this lead into another (the duplicate into the lead that carries on); a refusal
    shows the page again with the reason."""

    access = TRIAGE
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, lead_id: int) -> HttpResponse:
        lead = _lead(request, lead_id)
        form = LeadMergeForm(request.POST)
        if not form.is_valid():
            return _detail(request, lead, error=_("Say which lead to merge into."), status=400)
        try:
            into = _target(request.user, form.cleaned_data["into"])
            lead_merge(actor=request.user, lead=lead, into=into, note=form.cleaned_data["note"])
        except DomainError as error:
            lead = _lead(request, lead_id)
            return _detail(request, lead, error=str(error.message), status=error.status_code)
        messages.success(
            request,
            _("%(lead)s was merged into %(into)s.")
            % {"lead": lead.reference, "into": into.reference},
        )
        return redirect("leads:detail", lead_id=into.pk)


# --- API -----------------------------------------------------------------------------------


class MergeRequestSerializer(serializers.Serializer):
    into = serializers.CharField(
        max_length=40, help_text=gettext_lazy("Reference of the lead that carries on.")
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class DuplicateSerializer(serializers.Serializer):
    reference = serializers.CharField(source="lead.reference")
    status = serializers.CharField(source="lead.status")
    school = serializers.CharField(source="lead.school.code", allow_null=True, default=None)
    place = serializers.CharField(source="lead.place")
    occurred_at = serializers.DateTimeField(source="lead.occurred_at", allow_null=True)
    created_at = serializers.DateTimeField(source="lead.created_at")
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


def _api_lead(request: Request, reference: str) -> Lead:
    lead = lead_get_by_reference(user=request.user, reference=reference)
    if lead is None:
        raise NotFound()
    return lead


class LeadDuplicatesAPIView(APIView):
    """Possible duplicates of a lead, best first, with the score and the reasons."""

    access = TRIAGE
    permission_classes = [HasAccess]

    @extend_schema(responses={200: DuplicateSerializer(many=True), 404: dict})
    def get(self, request: Request, reference: str) -> Response:
        lead = _api_lead(request, reference)
        rows = [
            {"lead": other, "score": round(score, 3), "reasons": reasons}
            for other, score, reasons in duplicate_candidates(user=request.user, lead=lead)
        ]
        return Response(DuplicateSerializer(rows, many=True).data)


class LeadMergeAPIView(APIView):
    """Merge the lead into the lead ``into``, which carries on; answers the survivor's
    reference and the merged lead's new status."""

    access = TRIAGE
    permission_classes = [HasAccess]

    @extend_schema(
        request=MergeRequestSerializer,
        responses={
            200: inline_serializer(
                "LeadMerged",
                {
                    "reference": serializers.CharField(),
                    "status": serializers.CharField(),
                    "merged_into": serializers.CharField(),
                },
            ),
            400: OpenApiResponse(description="Unknown target or the lead itself."),
            404: OpenApiResponse(description="No such lead visible to the caller."),
            409: OpenApiResponse(description="The leads' states do not allow the merge."),
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        lead = _api_lead(request, reference)
        serializer = MergeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        into = _target(request.user, serializer.validated_data["into"])
        lead_merge(
            actor=request.user,
            lead=lead,
            into=into,
            note=serializer.validated_data.get("note") or "",
        )
        return Response(
            {"reference": lead.reference, "status": lead.status, "merged_into": into.reference}
        )
