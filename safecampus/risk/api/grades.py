"""/api/v1/risk-grades/: the monthly grades with their factors (the bureau: the district; a
school: its own), computing a month and adjusting a grade."""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.inputs import query
from safecampus.api.permissions import HasAccess
from safecampus.core.localtime import local_day
from safecampus.risk.choices import WarningLevel
from safecampus.risk.forms.grades import parse_month
from safecampus.risk.grading import month_start
from safecampus.risk.models import RiskGrade
from safecampus.risk.permissions import ADJUSTERS, MANAGERS, READERS
from safecampus.risk.selectors import grades as selectors
from safecampus.risk.services import grades as services

MONTH_HELP = gettext_lazy("A month as YYYY-MM.")
#: The months parse_month takes (2000-01 to 2100-12), so the schema offers no other.
MONTH_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"


class FactorSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field
    value = serializers.CharField()
    points = serializers.IntegerField()


class RiskGradeSerializer(serializers.Serializer):
    school = serializers.CharField(source="school.code")
    school_name = serializers.CharField(source="school.name")
    month = serializers.SerializerMethodField()
    score = serializers.IntegerField()
    level = serializers.CharField()
    computed_level = serializers.CharField()
    adjusted = serializers.SerializerMethodField()
    adjusted_reason = serializers.CharField()
    adjusted_at = serializers.DateTimeField(allow_null=True)
    computed_at = serializers.DateTimeField()

    def get_month(self, grade: RiskGrade) -> str:
        return f"{grade.month:%Y-%m}"

    def get_adjusted(self, grade: RiskGrade) -> bool:
        return grade.adjusted_at is not None


class RiskGradeDetailSerializer(RiskGradeSerializer):
    factors = serializers.SerializerMethodField()

    @extend_schema_field(FactorSerializer(many=True))
    def get_factors(self, grade: RiskGrade) -> list[dict[str, Any]]:
        rows = selectors.factor_rows(grade.factors)
        return [{**row, "value": str(row["value"])} for row in rows]


class MonthInput(serializers.CharField):
    """``YYYY-MM`` → the month's first day."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", MONTH_HELP)
        super().__init__(max_length=7, validators=[RegexValidator(MONTH_PATTERN)], **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        text = super().run_validation(data)  # the string, its length and pattern checked
        month = parse_month(text)
        if month is None:
            raise serializers.ValidationError(_("Enter a month as YYYY-MM."))
        return month


class ComputeSerializer(serializers.Serializer):
    month = MonthInput()


class AdjustSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=WarningLevel.choices)
    reason = serializers.CharField(max_length=services.REASON_MAX)


class GradeQuery(serializers.Serializer):
    month = MonthInput(required=False)
    level = serializers.ChoiceField(choices=WarningLevel.choices, required=False)


class RiskGradeListAPIView(APIView):
    """The month's grades the caller may see (default: the latest graded month)."""

    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(
        operation_id="api_v1_risk_grades_list",
        parameters=[GradeQuery],
        responses=inline_serializer(
            "RiskGradeMonth",
            {
                "month": serializers.CharField(help_text=MONTH_HELP),
                "count": serializers.IntegerField(),
                "results": RiskGradeSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        user = request.user
        params = query(request, GradeQuery)
        month = params.get("month")
        if month is None:
            month = selectors.latest_month(user=user) or month_start(local_day(timezone.now()))
        level = params.get("level") or None
        rows = selectors.grade_table(user=user, month=month, level=level)
        data = RiskGradeSerializer([row.grade for row in rows], many=True).data
        return Response({"month": f"{month:%Y-%m}", "count": len(rows), "results": data})


def _grade(request: Request, school_code: str, month: str) -> RiskGrade:
    school = selectors.school_by_code(user=request.user, code=school_code)
    when = parse_month(month)
    grade = (
        selectors.grade_detail(user=request.user, school=school, month=when)
        if school and when
        else None
    )
    if grade is None:
        raise Http404
    return grade


class RiskGradeDetailAPIView(APIView):
    """One school's grade for a month, with the factors that counted and their labels."""

    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(responses=RiskGradeDetailSerializer)
    def get(self, request: Request, school_code: str, month: str) -> Response:
        return Response(RiskGradeDetailSerializer(_grade(request, school_code, month)).data)


class RiskGradeComputeAPIView(APIView):
    """Compute (or recompute) a month's grades now (the bureau safety officer)."""

    access = MANAGERS
    permission_classes = [HasAccess]

    @extend_schema(
        request=ComputeSerializer,
        responses=inline_serializer(
            "RiskGradeRun",
            {
                "month": serializers.CharField(),
                "schools": serializers.IntegerField(),
                "by_level": serializers.DictField(child=serializers.IntegerField()),
            },
        ),
    )
    def post(self, request: Request) -> Response:
        form = ComputeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        run = services.grades_compute(actor=request.user, month=form.validated_data["month"])
        return Response(
            {"month": f"{run.month:%Y-%m}", "schools": run.schools, "by_level": run.by_level}
        )


class RiskGradeAdjustAPIView(APIView):
    """Set a grade's level with a reason: the bureau any level, a principal only higher."""

    access = ADJUSTERS
    permission_classes = [HasAccess]

    @extend_schema(request=AdjustSerializer, responses=RiskGradeDetailSerializer)
    def post(self, request: Request, school_code: str, month: str) -> Response:
        grade = _grade(request, school_code, month)
        form = AdjustSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        grade = services.grade_adjust(actor=request.user, grade=grade, **form.validated_data)
        return Response(RiskGradeDetailSerializer(grade).data)


urlpatterns = [
    path("risk-grades/", RiskGradeListAPIView.as_view(), name="risk_grade_list"),
    path("risk-grades/compute/", RiskGradeComputeAPIView.as_view(), name="risk_grade_compute"),
    path(
        "risk-grades/<str:school_code>/<str:month>/",
        RiskGradeDetailAPIView.as_view(),
        name="risk_grade_detail",
    ),
    path(
        "risk-grades/<str:school_code>/<str:month>/adjust/",
        RiskGradeAdjustAPIView.as_view(),
        name="risk_grade_adjust",
    ),
]
