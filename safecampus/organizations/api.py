"""/api/v1/responsibility/ and /api/v1/work-plans/: who answers for safety work in each unit
(R-1.1, R-8.1) and which units filed their yearly work plan, with every version (R-1.2).
The same selectors as the pages; phones masked as on the page (the full number only
through the page's audited reveal)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
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
from safecampus.core.access import Access
from safecampus.organizations import selectors, services
from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES, UnitKind

BUREAU = Access.for_roles(BUREAU_ROLES)
STAFF = Access.for_roles(BUREAU_ROLES | SCHOOL_ROLES)
#: The years a work plan may be asked for (the page offers this range too).
FIRST_PLAN_YEAR = 2000


class PersonSerializer(serializers.Serializer):
    membership = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.__str__")
    title = serializers.CharField()
    phone = serializers.CharField(source="user.masked_phone", help_text="Masked: 138****5678")


class ResponsibilitySerializer(serializers.Serializer):
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    kind = serializers.CharField(source="unit.kind")
    office_phone = serializers.CharField(source="unit.office_phone")
    missing_designated = serializers.BooleanField()
    heads = PersonSerializer(source="leaders", many=True)
    designated = PersonSerializer(many=True)


class ResponsibilityQuery(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[UnitKind.SCHOOL, UnitKind.SECTION, UnitKind.INSTITUTION], required=False
    )


class ResponsibilityListAPIView(APIView):
    """Every school, section and institution with its head and designated person; units
    with nobody designated first (what the bureau must chase)."""

    access = BUREAU
    permission_classes = [HasAccess]

    @extend_schema(
        operation_id="api_v1_responsibility_list",
        parameters=[ResponsibilityQuery],
        responses=inline_serializer(
            "ResponsibilityList",
            {
                "count": serializers.IntegerField(),
                "missing_designated": serializers.IntegerField(),
                "results": ResponsibilitySerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        params = query(request, ResponsibilityQuery)
        rows = selectors.responsibility_rows(user=request.user, kind=params.get("kind", ""))
        return Response(
            {
                "count": len(rows),
                "missing_designated": sum(1 for row in rows if row.missing_designated),
                "results": ResponsibilitySerializer(rows, many=True).data,
            }
        )


class DesignationSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.__str__")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    named_by = serializers.CharField(source="named_by.__str__", default="")
    ended_by = serializers.CharField(source="ended_by.__str__", default="")
    note = serializers.CharField()
    end_note = serializers.CharField()


class DesignationRequest(serializers.Serializer):
    action = serializers.ChoiceField(choices=["name", "end"])
    person = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class DesignationAPIView(APIView):
    """A unit's designated person (R-1.1): the history (the open one first), and ``name``
    (``person``: a user id of an active member of the unit) or ``end`` (``note``: why)."""

    access = BUREAU
    permission_classes = [HasAccess]

    def _unit(self, request: Request, code: str) -> Any:
        unit = selectors.designation_unit_get(user=request.user, code=code)
        if unit is None:
            raise Http404
        return unit

    @extend_schema(responses={200: DesignationSerializer(many=True)})
    def get(self, request: Request, code: str) -> Response:
        history = selectors.designation_history(unit=self._unit(request, code))
        return Response(DesignationSerializer(history, many=True).data)

    @extend_schema(
        request=DesignationRequest,
        responses={
            200: DesignationSerializer,
            409: OpenApiResponse(
                description="Already the designated person, or nobody designated to end."
            ),
        },
    )
    def post(self, request: Request, code: str) -> Response:
        unit = self._unit(request, code)
        body = DesignationRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["action"] == "end":
            done = services.designation_end(actor=request.user, unit=unit, note=data["note"])
            return Response(DesignationSerializer(done).data)
        members = {m.user_id: m.user for m in selectors.designation_candidates(unit=unit)}
        person = members.get(data.get("person") or 0)
        if person is None:
            raise serializers.ValidationError(
                {"person": [_("Only an active member of the unit can be its designated person.")]}
            )
        made = services.designation_name(
            actor=request.user, unit=unit, user=person, note=data["note"]
        )
        return Response(DesignationSerializer(made).data)


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    note = serializers.CharField()
    uploaded_at = serializers.DateTimeField(source="created_at")
    uploaded_by = serializers.CharField(source="uploaded_by.__str__", default="")


class WorkPlanSerializer(serializers.Serializer):
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    kind = serializers.CharField(source="unit.kind")
    filed = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    def get_filed(self, row: selectors.PlanRow) -> bool:
        return row.plan is not None

    def get_title(self, row: selectors.PlanRow) -> str:
        return str(row.plan.title) if row.plan else ""

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, row: selectors.PlanRow) -> list[dict[str, Any]]:
        versions = getattr(row.plan, "version_list", []) if row.plan else []
        return list(VersionSerializer(versions, many=True).data)

    def get_page(self, row: selectors.PlanRow) -> str:
        year = self.context["year"]
        return reverse("organizations:work_plan_detail", args=[row.unit.code, year])


class WorkPlanQuery(serializers.Serializer):
    year = serializers.IntegerField(min_value=FIRST_PLAN_YEAR, required=False)

    def validate_year(self, value: int) -> int:
        if value > timezone.localdate().year + 1:
            raise serializers.ValidationError(_("No work plan is filed that far ahead."))
        return value


class WorkPlanListAPIView(APIView):
    """The units the caller answers for, with their plan for ``year`` (default: this year)
    and every version of it, newest first; units without a plan first."""

    access = STAFF
    permission_classes = [HasAccess]

    @extend_schema(
        operation_id="api_v1_work_plans_list",
        parameters=[WorkPlanQuery],
        responses=inline_serializer(
            "WorkPlanList",
            {
                "year": serializers.IntegerField(),
                "count": serializers.IntegerField(),
                "missing": serializers.IntegerField(),
                "results": WorkPlanSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        params = query(request, WorkPlanQuery)
        year = params.get("year") or timezone.localdate().year
        rows = selectors.work_plan_rows(user=request.user, year=year)
        data = WorkPlanSerializer(rows, many=True, context={"year": year}).data
        return Response(
            {
                "year": year,
                "count": len(rows),
                "missing": sum(1 for row in rows if row.plan is None),
                "results": data,
            }
        )


urlpatterns = [
    path("responsibility/", ResponsibilityListAPIView.as_view(), name="responsibility_list"),
    path(
        "responsibility/<str:code>/designations/",
        DesignationAPIView.as_view(),
        name="designation",
    ),
    path("work-plans/", WorkPlanListAPIView.as_view(), name="work_plan_list"),
]
