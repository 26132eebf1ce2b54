"""/api/v1/risk-items/, /api/v1/risk-levels/ and /api/v1/seasonal-risks/: the register
(scoped like the pages), the warning level bands and the seasonal calendar. Writes call
the same services as the pages; errors are ``{"detail", "code"}``, translated, 4xx.
A level's ``label`` and a seasonal risk's ``title`` and ``measures`` are the Chinese names;
``label_en``, ``title_en`` and ``measures_en`` their English (empty when not entered)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.inputs import query
from safecampus.api.pagination import Pagination
from safecampus.api.permissions import HasAccess
from safecampus.organizations.models import Unit
from safecampus.risk.choices import RiskCategory, WarningLevel
from safecampus.risk.models import RiskItem, RiskLevelBand, SeasonalRisk
from safecampus.risk.permissions import READERS, REGISTER_EDITORS
from safecampus.risk.services import register as services


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
        fields = ["level", "label", "label_en", "min_score", "color"]


class SeasonalRiskSerializer(serializers.ModelSerializer):
    class Meta:
        model = SeasonalRisk
        fields = [
            "id",
            "title",
            "title_en",
            "category",
            "months",
            "measures",
            "measures_en",
            "school_kinds",
            "boarding_only",
            "near_water_only",
            "points",
            "is_active",
        ]


class RiskItemQuery(serializers.Serializer):
    school = serializers.CharField(max_length=40, required=False, help_text="School unit code.")
    category = serializers.ChoiceField(choices=RiskCategory.choices, required=False)
    level = serializers.ChoiceField(choices=WarningLevel.choices, required=False)
    overdue = serializers.BooleanField(
        required=False, default=False, help_text="Only risks whose review is overdue."
    )
    retired = serializers.BooleanField(
        required=False, default=False, help_text="Retired risks instead of active ones."
    )


class SeasonalQuery(serializers.Serializer):
    month = serializers.IntegerField(
        min_value=1, max_value=12, required=False, help_text="1–12: only risks of that month."
    )
    active = serializers.BooleanField(
        required=False, default=True, help_text="Only entries in use (default true)."
    )


class RiskItemListAPIView(APIView):
    """The register items the caller may see (a school: its own and the district-wide ones);
    POST enters a risk, with the same rules as the page."""

    access = READERS
    permission_classes = [HasAccess]
    pagination_class = Pagination  # the schema wraps the list in the paginated object too

    @extend_schema(parameters=[RiskItemQuery], responses={200: RiskItemSerializer(many=True)})
    def get(self, request: Request) -> Response:
        params = query(request, RiskItemQuery)
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
            overdue=params["overdue"],
            retired=params["retired"],
        ).order_by("review_due", "id")
        pages = self.pagination_class()
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
        if not REGISTER_EDITORS.allows(request.user):
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

    @extend_schema(parameters=[SeasonalQuery], responses={200: SeasonalRiskSerializer(many=True)})
    def get(self, request: Request) -> Response:
        params = query(request, SeasonalQuery)
        risks = list(SeasonalRisk.objects.order_by("category", "id"))
        if params["active"]:
            risks = [risk for risk in risks if risk.is_active]
        if params.get("month"):
            risks = [risk for risk in risks if params["month"] in (risk.months or [])]
        return Response(SeasonalRiskSerializer(risks, many=True).data)


urlpatterns: list[URLPattern] = [
    path("risk-items/", RiskItemListAPIView.as_view(), name="risk_item_list"),
    path("risk-items/<int:item_id>/", RiskItemDetailAPIView.as_view(), name="risk_item_detail"),
    path("risk-levels/", RiskLevelListAPIView.as_view(), name="risk_level_list"),
    path("seasonal-risks/", SeasonalRiskListAPIView.as_view(), name="seasonal_risk_list"),
]
