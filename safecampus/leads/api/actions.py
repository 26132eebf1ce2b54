"""/api/v1/leads/<reference>/…: the moves of the lead pages for programs — triage actions,
an agency's answers to its transfer, the two-person reveal, the dual reports (R-2.2) —
and the lead's timeline.

Each endpoint calls the same service as its page, so the rules, the audit trail and
the errors (``{"detail", "code"}``, translated, 4xx) are the same.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.inputs import CountField, IdField, MomentField
from safecampus.api.permissions import HasAccess
from safecampus.cases.selectors import case_timeline, transfer_list
from safecampus.core.access import Access
from safecampus.leads.api.leads import LeadSerializer
from safecampus.leads.choices import DualReportMethod
from safecampus.leads.forms import DualReportForm, LeadActionForm, RevealForm, TransferActionForm
from safecampus.leads.models import DualReport, Lead
from safecampus.leads.permissions import ACTORS, APPROVER_ROLES, READERS, TRIAGE
from safecampus.leads.selectors.leads import dual_report_list, lead_list
from safecampus.leads.services import feedback, reveal
from safecampus.leads.services.actions import lead_act
from safecampus.leads.services.leads import lead_dual_report_add


def _lead(request: Request, reference: str) -> Lead:
    lead = lead_list(user=request.user).filter(reference=reference).first()
    if lead is None:
        raise Http404
    return lead


def _invalid(form: Any) -> ValidationError:
    """The form's translated field errors as the API's ``{"detail", "errors"}`` 400."""
    return ValidationError({field: list(errors) for field, errors in form.errors.items()})


ERRORS = {
    400: OpenApiResponse(description="Bad input or a move the workflow does not allow."),
    403: OpenApiResponse(description="The caller may not make this move."),
    404: OpenApiResponse(description="No such lead in the caller's scope."),
    409: OpenApiResponse(description="The lead changed meanwhile."),
}


class LeadActionAPIView(APIView):
    """Make one move on a lead: accept, reject, assign (``school``), transfer (``units``,
    ``feedback_days``), start, conclude (``result``), close, reopen, progress, spam."""

    access = ACTORS
    permission_classes = [HasAccess]

    @extend_schema(
        request=inline_serializer(
            "LeadActionRequest",
            {
                "action": serializers.ChoiceField(choices=LeadActionForm.ACTIONS),
                "note": serializers.CharField(required=False),
                "school": serializers.CharField(required=False, help_text="School unit code."),
                "units": serializers.ListField(
                    child=serializers.CharField(), required=False, help_text="Agency unit codes."
                ),
                "feedback_days": serializers.IntegerField(
                    required=False, min_value=1, max_value=365
                ),
                "version": CountField(required=False, help_text="The lead's lock_version."),
                "result": serializers.CharField(required=False),
            },
        ),
        responses={200: LeadSerializer, **ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        lead = _lead(request, reference)
        data: Any = request.data
        units = data.get("units") or []
        form = LeadActionForm({**{k: data.get(k) for k in data if k != "units"}, "units": units})
        if not form.is_valid():
            raise _invalid(form)
        lead_act(
            actor=request.user,
            lead=lead,
            action=form.cleaned_data["action"],
            data=form.cleaned_data,
        )
        after = _lead_or_none(request, reference)
        return Response(LeadSerializer(after).data if after else {})


def _lead_or_none(request: Request, reference: str) -> Lead | None:
    try:
        return _lead(request, reference)
    except Http404:
        return None


class LeadTransferActionAPIView(APIView):
    """The receiving agency answers its transfer: accept, progress (``note``), return
    (``note`` = the reason). The result is a ``conclude`` move on the actions endpoint."""

    access = ACTORS
    permission_classes = [HasAccess]

    @extend_schema(
        request=inline_serializer(
            "LeadTransferActionRequest",
            {
                "action": serializers.ChoiceField(choices=["accept", "progress", "return"]),
                "note": serializers.CharField(required=False),
            },
        ),
        responses={200: LeadSerializer, **ERRORS},
    )
    def post(self, request: Request, reference: str, transfer_id: int) -> Response:
        lead = _lead(request, reference)
        form = TransferActionForm(request.data)
        if not form.is_valid():
            raise _invalid(form)
        action, note = form.cleaned_data["action"], form.cleaned_data["note"]
        feedback.lead_transfer_act(
            actor=request.user, lead=lead, transfer_id=transfer_id, action=action, note=note
        )
        lead.refresh_from_db()
        return Response(LeadSerializer(lead).data)


class LeadRevealAPIView(APIView):
    """The two-person reveal of the reporter: request (``note`` = reason), approve or deny
    (``request_id``, by another bureau user), withdraw, and show (the requester, while the
    approval lasts; each show is audited)."""

    access = Access.for_roles(APPROVER_ROLES)
    permission_classes = [HasAccess]

    @extend_schema(
        request=inline_serializer(
            "LeadRevealRequest",
            {
                "action": serializers.ChoiceField(choices=RevealForm.ACTIONS),
                "request_id": IdField(required=False),
                "note": serializers.CharField(required=False),
            },
        ),
        responses={
            200: inline_serializer(
                "LeadRevealAnswer",
                {
                    "status": serializers.CharField(required=False),
                    "request_id": IdField(required=False),
                    "name": serializers.CharField(required=False),
                    "contact": serializers.CharField(required=False),
                },
            ),
            **ERRORS,
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        lead = _lead(request, reference)
        form = RevealForm(request.data)
        if not form.is_valid():
            raise _invalid(form)
        data, user = form.cleaned_data, request.user
        action, request_id, note = data["action"], data["request_id"] or 0, data["note"]
        if action == "show":
            return Response(reveal.reveal_identity(actor=user, lead=lead))
        if action == "request":
            asked = reveal.reveal_request(actor=user, lead=lead, reason=note)
        elif action == "withdraw":
            asked = reveal.reveal_withdraw(actor=user, lead=lead, request_id=request_id)
        else:
            asked = reveal.reveal_decide(
                actor=user,
                lead=lead,
                request_id=request_id,
                approve=action == "approve",
                note=note,
            )
        return Response({"status": asked.status, "request_id": asked.pk})


class DualReportSerializer(serializers.ModelSerializer):
    reported_by = serializers.CharField(source="reported_by.__str__", default="", read_only=True)

    class Meta:
        model = DualReport
        fields = [
            "id", "channel", "reported_to", "reported_at", "method", "reported_by", "created_at",
        ]  # fmt: skip


class LeadTimelineAPIView(APIView):
    """The lead's whole trail: events (moves, transfers, feedback, progress, remarks) and
    its transfers with their feedback. Never the reporter."""

    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(
        responses={
            200: inline_serializer(
                "LeadTimeline",
                {
                    "events": serializers.ListField(child=serializers.DictField()),
                    "transfers": serializers.ListField(child=serializers.DictField()),
                    "dual_reports": DualReportSerializer(many=True),
                },
            ),
            404: ERRORS[404],
        }
    )
    def get(self, request: Request, reference: str) -> Response:
        lead = _lead(request, reference)
        events = [
            {
                "at": event.at.isoformat(),
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "actor": event.actor_label,
                "note": event.note,
            }
            for event in case_timeline(user=request.user, case=lead)
        ]
        transfers = [
            {
                "id": t.pk,
                "to_unit": t.to_unit.code,
                "at": t.at.isoformat(),
                "status": t.status,
                "accepted_at": t.accepted_at.isoformat() if t.accepted_at else None,
                "feedback_due": t.feedback_deadline.due_at.isoformat()
                if t.feedback_deadline
                else None,
                "feedback_at": t.feedback_at.isoformat() if t.feedback_at else None,
                "feedback": t.feedback_note,
            }
            for t in transfer_list(user=request.user, case=lead)
        ]
        reports = DualReportSerializer(dual_report_list(user=request.user, lead=lead), many=True)
        return Response({"events": events, "transfers": transfers, "dual_reports": reports.data})


class DualReportRequest(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=DualReportForm.base_fields["channel"].choices  # type: ignore[attr-defined]
    )
    reported_to = serializers.CharField(max_length=200)
    reported_at = MomentField()
    method = serializers.ChoiceField(choices=DualReportMethod.choices)


class LeadDualReportAPIView(APIView):
    """The lead's second reports (R-2.2: to the local government or a department): list
    them, or record one (``channel``, ``reported_to``, ``reported_at``, ``method``)."""

    access = TRIAGE
    permission_classes = [HasAccess]

    @extend_schema(responses={200: DualReportSerializer(many=True), 404: ERRORS[404]})
    def get(self, request: Request, reference: str) -> Response:
        lead = _lead(request, reference)
        reports = dual_report_list(user=request.user, lead=lead)
        return Response(DualReportSerializer(reports, many=True).data)

    @extend_schema(request=DualReportRequest, responses={201: DualReportSerializer, **ERRORS})
    def post(self, request: Request, reference: str) -> Response:
        lead = _lead(request, reference)
        body = DualReportRequest(data=request.data)
        body.is_valid(raise_exception=True)  # DRF's fields: any JSON type is a 400, never a 500
        report = lead_dual_report_add(actor=request.user, lead=lead, **body.validated_data)
        return Response(DualReportSerializer(report).data, status=201)
