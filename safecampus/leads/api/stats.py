"""/api/v1/leads/statistics/: the lead figures of the caller's scope, small counts
suppressed as on the statistics page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.inputs import DayField
from safecampus.api.permissions import HasAccess
from safecampus.leads.permissions import READERS
from safecampus.leads.selectors.stats import lead_statistics

SUPPRESSION = gettext_lazy(
    "Spam and merged leads are not counted. Any count from 1 to min_cell - 1 is suppressed "
    "(count null, suppressed true) so that it cannot point at a reporter; where only one cell "
    "of a list would be suppressed, or the suppressed ones could only be 1 each, the next "
    "smallest cells are suppressed too, so no suppressed count can be worked out from the "
    "total and the other cells. Days to conclude are whole calendar days from receipt to "
    "conclusion; median and 90th percentile by nearest rank."
)


class StatisticsQuerySerializer(serializers.Serializer):
    date_from = DayField(required=False, help_text="First local day received.")
    date_to = DayField(required=False, help_text="Last local day received.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            attrs.get("date_from")
            and attrs.get("date_to")
            and attrs["date_from"] > attrs["date_to"]
        ):
            raise serializers.ValidationError(_("The start date is after the end date."))
        return attrs


class StatCountSerializer(serializers.Serializer):
    count = serializers.IntegerField(allow_null=True, help_text="Null when suppressed.")
    suppressed = serializers.BooleanField()


class StatCellSerializer(StatCountSerializer):
    key = serializers.CharField(help_text="Category or school code, status, month (YYYY-MM).")
    label = serializers.CharField()  # type: ignore[assignment]  # shadows Field.label for mypy


class ConclusionSerializer(serializers.Serializer):
    concluded = StatCountSerializer()
    median_days = serializers.IntegerField(allow_null=True)
    p90_days = serializers.IntegerField(allow_null=True)
    histogram = StatCellSerializer(many=True)


class LeadStatisticsSerializer(serializers.Serializer):
    period = inline_serializer(
        "StatisticsPeriod",
        {
            "from": serializers.DateField(allow_null=True),
            "to": serializers.DateField(allow_null=True),
        },
    )
    min_cell = serializers.IntegerField(help_text="Counts from 1 to min_cell - 1 are suppressed.")
    day_unit = serializers.CharField(help_text="Always calendar_days.")
    total = StatCountSerializer()
    overdue = StatCountSerializer()
    by_category = StatCellSerializer(many=True)
    by_school = StatCellSerializer(many=True)
    by_month = StatCellSerializer(many=True)
    by_status = StatCellSerializer(many=True)
    conclusion = ConclusionSerializer()


class LeadStatisticsAPIView(APIView):
    """Lead figures of the caller's scope: the district for the bureau, a school its own
    leads, an agency those transferred to it."""

    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(
        description=str(SUPPRESSION),
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="First day received."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last day received."),
        ],
        responses={200: LeadStatisticsSerializer},
    )
    def get(self, request: Request) -> Response:
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data
        return Response(
            lead_statistics(
                user=request.user,
                date_from=period.get("date_from"),
                date_to=period.get("date_to"),
            )
        )
