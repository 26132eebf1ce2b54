"""API routes: the safe-campus evaluation and accountability decisions (included by
safecampus.api.urls). Same selectors and services as the pages, same rules and errors."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.inputs import DayField, IdField
from safecampus.api.permissions import HasAccess
from safecampus.audit.services import audit_record
from safecampus.inspections import evaluation as ev
from safecampus.inspections.forms.evaluation import FIRST_YEAR, AccountabilityForm, YearForm
from safecampus.inspections.models import AccountabilityDecision
from safecampus.inspections.permissions import ACCOUNTABILITY, BUREAU, EVALUATION_READERS
from safecampus.inspections.services.accountability import RECORDER_ROLES, accountability_record
from safecampus.inspections.services.common import require_role
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit

# The years YearForm takes; the last is next year as of when the server started.
YEAR = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": FIRST_YEAR, "maximum": ev.current_year() + 1},
    description="Calendar year (default: this).",
)


class SchoolScoreSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    school = serializers.CharField(source="code")
    name = serializers.CharField()
    school_kind = serializers.CharField()
    evaluations = serializers.IntegerField()
    checklist_percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, coerce_to_string=False
    )
    checklist = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, coerce_to_string=False
    )
    notices_counted = serializers.IntegerField()
    notices_on_time = serializers.IntegerField()
    timeliness = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False)
    planned_due = serializers.IntegerField()
    planned_on_time = serializers.IntegerField()
    self_inspection = serializers.DecimalField(
        max_digits=5, decimal_places=1, coerce_to_string=False
    )
    overdue_open = serializers.IntegerField()
    penalty = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False)
    total = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, coerce_to_string=False
    )
    grade = serializers.CharField()
    grade_label = serializers.CharField()
    veto = serializers.BooleanField()


class BreakdownSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    schools_ranked = serializers.IntegerField()
    score = SchoolScoreSerializer()
    inspections = serializers.SerializerMethodField()
    notices = serializers.SerializerMethodField()

    def get_inspections(self, breakdown: ev.Breakdown) -> list[dict[str, Any]]:
        return [
            {
                "id": i.pk,
                "submitted_at": i.submitted_at.isoformat() if i.submitted_at else None,
                "score_percent": str(i.score_percent),
                "veto_failed": i.veto_failed,
            }
            for i in breakdown.inspections
        ]

    def get_notices(self, breakdown: ev.Breakdown) -> list[dict[str, Any]]:
        overdue = {n.pk for n in breakdown.overdue}
        return [
            {
                "reference": n.reference,
                "status": n.status,
                "due_at": n.due_at.isoformat() if n.due_at else None,
                "on_time": n.on_time,
                "overdue": n.pk in overdue,
            }
            for n in breakdown.notices
        ]


def _year(request: Request) -> int:
    form = YearForm(request.query_params or None)
    if form.is_bound and not form.is_valid():
        raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
    return form.cleaned_data["year"] if form.is_bound else ev.current_year()


class EvaluationRankingAPIView(APIView):
    """The district ranking of a year (bureau roles)."""

    access = BUREAU
    permission_classes = [HasAccess]

    @extend_schema(parameters=[YEAR], responses={200: SchoolScoreSerializer(many=True)})
    def get(self, request: Request) -> Response:
        scores = ev.evaluation_ranking(user=request.user, year=_year(request))
        return Response(SchoolScoreSerializer(scores, many=True).data)


class EvaluationSchoolAPIView(APIView):
    """One school's breakdown (the bureau, or that school's readers; else 404)."""

    access = EVALUATION_READERS
    permission_classes = [HasAccess]

    @extend_schema(
        parameters=[YEAR],
        responses={200: BreakdownSerializer, 404: OpenApiResponse(description="Not visible.")},
    )
    def get(self, request: Request, code: str) -> Response:
        year = _year(request)
        unit = Unit.objects.filter(kind=UnitKind.SCHOOL, code=code).first()
        school = unit and ev.evaluation_school_get(user=request.user, school_id=unit.pk)
        breakdown = school and ev.evaluation_breakdown(user=request.user, school=school, year=year)
        if not breakdown:
            raise Http404
        return Response(BreakdownSerializer(breakdown).data)


class AccountabilityDecisionSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = AccountabilityDecision
        fields = [
            "id",
            "unit",
            "person_name",
            "person_position",
            "hazard",
            "case_reference",
            "reason",
            "measure",
            "measure_detail",
            "decided_on",
            "created_at",
        ]
        read_only_fields = fields


class AccountabilityInputSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="Unit code.")
    person_name = serializers.CharField()
    person_position = serializers.CharField(required=False, allow_blank=True)
    hazard = IdField(required=False, allow_null=True)
    case_reference = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField()
    measure = serializers.CharField()
    measure_detail = serializers.CharField(required=False, allow_blank=True)
    decided_on = DayField()


class AccountabilityDecisionAPIView(APIView):
    """Accountability decisions: the bureau leader and the auditor read; the leader records."""

    access = ACCOUNTABILITY
    permission_classes = [HasAccess]

    @extend_schema(responses={200: AccountabilityDecisionSerializer(many=True)})
    def get(self, request: Request) -> Response:
        decisions = list(
            AccountabilityDecision.objects.visible_to(request.user).select_related("unit")[:500]
        )
        # The decisions name people (encrypted at rest): every read of the list is audited,
        # through the API as on the page.
        audit_record(
            actor=request.user,
            action="inspections.accountabilitydecision.list_viewed",
            object_type=AccountabilityDecision._meta.label_lower,
            request=request,  # type: ignore[arg-type]
            changes={"field": "person_name", "rows": len(decisions), "api": True},
        )
        return Response(AccountabilityDecisionSerializer(decisions, many=True).data)

    @extend_schema(
        request=AccountabilityInputSerializer,
        responses={
            201: AccountabilityDecisionSerializer,
            400: OpenApiResponse(description="Bad input."),
            403: OpenApiResponse(description="Only the bureau leader records decisions."),
        },
    )
    def post(self, request: Request) -> Response:

        require_role(request.user, RECORDER_ROLES)
        data: Any = request.data
        unit = Unit.objects.filter(code=str(data.get("unit", ""))).first()
        form = AccountabilityForm(
            {**{k: data.get(k) for k in AccountabilityForm.base_fields}, "unit": unit and unit.pk},
            user=request.user,
        )
        if not form.is_valid():
            raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        decision = accountability_record(actor=request.user, **form.cleaned_data)
        return Response(
            AccountabilityDecisionSerializer(decision).data, status=status.HTTP_201_CREATED
        )


urlpatterns: list[URLPattern] = [
    path("evaluation/", EvaluationRankingAPIView.as_view(), name="evaluation"),
    path("evaluation/<str:code>/", EvaluationSchoolAPIView.as_view(), name="evaluation_school"),
    path(
        "accountability-decisions/",
        AccountabilityDecisionAPIView.as_view(),
        name="accountability_decision_list",
    ),
]
