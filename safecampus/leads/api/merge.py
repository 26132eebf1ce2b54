"""/api/v1/leads/<reference>/duplicates/ and …/merge/: possible duplicates of a lead and
merging it into the lead that carries on — the lead page's merge for programs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.permissions import HasAccess
from safecampus.leads.models import Lead
from safecampus.leads.permissions import TRIAGE
from safecampus.leads.selectors.duplicates import duplicate_candidates
from safecampus.leads.selectors.leads import lead_get_by_reference
from safecampus.leads.services.merging import lead_merge, merge_target


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
        into = merge_target(user=request.user, text=serializer.validated_data["into"])
        lead_merge(
            actor=request.user,
            lead=lead,
            into=into,
            note=serializer.validated_data.get("note") or "",
        )
        return Response(
            {"reference": lead.reference, "status": lead.status, "merged_into": into.reference}
        )
