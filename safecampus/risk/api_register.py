"""/api/v1/risk-items/, /api/v1/risk-levels/ and /api/v1/seasonal-risks/: the register
(scoped like the pages), the warning level bands and the seasonal calendar. Writes call
the same services as the pages; errors are ``{"detail", "code"}``, translated, 4xx."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.pagination import Pagination
from safecampus.api.permissions import HasAccess
from safecampus.organizations.models import Unit
from safecampus.risk import services_register as services
from safecampus.risk.choices import RiskCategory, WarningLevel
from safecampus.risk.models import RiskItem, RiskLevelBand, SeasonalRisk
from safecampus.risk.views_register import EDITORS, READERS


class RiskItemSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True, allow_null=True)
    school_name = serializers.CharField(source="school.name", read_only=True, allow_null=True)
    matrix_score = serializers.IntegerField(read_only=True)

    class Meta:
        model = RiskItem
        fields = [
            "id",
            "school",
            "school_name",
            "category",
            "title",
            "description",
            "likelihood",
            "severity",
            "matrix_score",
            "level",
            "owner_name",
            "control_measures",
            "review_due",
            "last_reviewed_at",
            "is_active",
            "created_at",
            "updated_at",
        ]


class RiskItemCreateSerializer(serializers.Serializer):
    """Shape only; the service checks the rules (who may keep which register, ratings)."""

    school = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="School unit code; empty for a district-wide risk (bureau only).",
    )
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    likelihood = serializers.IntegerField(min_value=1, max_value=5)
    severity = serializers.IntegerField(min_value=1, max_value=5)
    owner_name = serializers.CharField(max_length=60)
    control_measures = serializers.CharField()


class RiskLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskLevelBand
        fields = ["level", "label", "min_score", "color"]


class SeasonalRiskSerializer(serializers.ModelSerializer):
    class Meta:
        model = SeasonalRisk
        fields = [
            "id",
            "title",
            "category",
            "months",
            "measures",
            "school_kinds",
            "boarding_only",
            "near_water_only",
            "points",
            "is_active",
        ]


def _flag(request: Request, name: str) -> bool:
    return str(request.query_params.get(name, "")).lower() in {"1", "true", "yes"}


LIST_PARAMETERS = [
    OpenApiParameter("school", str, description="School unit code."),
    OpenApiParameter("category", str, enum=RiskCategory.values),
    OpenApiParameter("level", str, enum=WarningLevel.values),
    OpenApiParameter("overdue", bool, description="Only risks whose review is overdue."),
    OpenApiParameter("retired", bool, description="Retired risks instead of active ones."),
]


class RiskItemListAPIView(APIView):
    """The register items the caller may see (a school: its own and the district-wide ones);
    POST enters a risk, with the same rules as the page."""

    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(parameters=LIST_PARAMETERS, responses={200: RiskItemSerializer(many=True)})
    def get(self, request: Request) -> Response:
        params = request.query_params
        school = None
        if params.get("school"):
            school = (
                Unit.objects.visible_to(request.user)
                .schools()
                .filter(code=params["school"])
                .first()
            )
            if school is None:
                return Response({"detail": _("Unknown school."), "code": "bad_school"}, status=400)
        items = services.risk_item_list(
            user=request.user,
            school=school,
            category=params.get("category", ""),
            level=params.get("level", ""),
            overdue=_flag(request, "overdue"),
            retired=_flag(request, "retired"),
        ).order_by("review_due", "id")
        pages = Pagination()
        page = pages.paginate_queryset(items, request, view=self)
        return pages.get_paginated_response(RiskItemSerializer(page, many=True).data)

    @extend_schema(
        request=RiskItemCreateSerializer,
        responses={
            201: RiskItemSerializer,
            400: OpenApiResponse(description="Bad input or an unknown school."),
            403: OpenApiResponse(description="The caller may not keep this register."),
        },
    )
    def post(self, request: Request) -> Response:
        if not EDITORS.allows(request.user):
            return Response(
                {
                    "detail": _("You may not change this school's risk register."),
                    "code": "forbidden",
                },
                status=status.HTTP_403_FORBIDDEN,
            )
        serializer = RiskItemCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        code = (data.pop("school", None) or "").strip()
        school = None
        if code:
            school = Unit.objects.visible_to(request.user).schools().filter(code=code).first()
            if school is None:
                return Response({"detail": _("Unknown school."), "code": "bad_school"}, status=400)
        item = services.risk_item_create(actor=request.user, school=school, **data)
        return Response(RiskItemSerializer(item).data, status=status.HTTP_201_CREATED)


class RiskItemDetailAPIView(APIView):
    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(
        responses={200: RiskItemSerializer, 404: OpenApiResponse(description="Not in scope.")}
    )
    def get(self, request: Request, item_id: int) -> Response:
        item = services.risk_item_get(user=request.user, item_id=item_id)
        if item is None:
            raise Http404
        return Response(RiskItemSerializer(item).data)


class RiskLevelListAPIView(APIView):
    """The four warning levels, highest first: label, lowest grade score, colour."""

    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(responses={200: RiskLevelSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(RiskLevelSerializer(services.band_table(), many=True).data)


class SeasonalRiskListAPIView(APIView):
    """The seasonal risk calendar (``month`` 1–12 keeps the risks of that month)."""

    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(
        parameters=[
            OpenApiParameter("month", int, description="1–12: only risks of that month."),
            OpenApiParameter("active", bool, description="Only entries in use (default true)."),
        ],
        responses={200: SeasonalRiskSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        risks = list(SeasonalRisk.objects.order_by("category", "id"))
        if request.query_params.get("active", "true").lower() not in {"0", "false", "no"}:
            risks = [risk for risk in risks if risk.is_active]
        month = request.query_params.get("month")
        if month:
            if not month.isdigit() or not 1 <= int(month) <= 12:
                return Response(
                    {"detail": _("Months are numbered 1 to 12."), "code": "bad_months"}, status=400
                )
            risks = [risk for risk in risks if int(month) in (risk.months or [])]
        return Response(SeasonalRiskSerializer(risks, many=True).data)


urlpatterns: list[URLPattern] = [
    path("risk-items/", RiskItemListAPIView.as_view(), name="risk_item_list"),
    path("risk-items/<int:item_id>/", RiskItemDetailAPIView.as_view(), name="risk_item_detail"),
    path("risk-levels/", RiskLevelListAPIView.as_view(), name="risk_level_list"),
    path("seasonal-risks/", SeasonalRiskListAPIView.as_view(), name="seasonal_risk_list"),
]
