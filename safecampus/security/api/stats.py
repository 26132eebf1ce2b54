"""Alert figures per school for other systems and the monthly risk grading."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.inputs import DayField, query
from safecampus.api.permissions import HasAccess
from safecampus.core.access import Access
from safecampus.security.permissions import DEVICE_READER_ROLES
from safecampus.security.selectors.devices import visible_schools
from safecampus.security.selectors.stats import MAX_DAYS, alert_statistics

READERS = Access.for_roles(DEVICE_READER_ROLES)


class StatsQuerySerializer(serializers.Serializer):
    school = serializers.CharField(required=False, max_length=40, help_text="School code.")
    date_from = DayField(required=False, help_text="First day (Beijing time).")
    date_to = DayField(required=False, help_text="Last day (Beijing time).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError(_("The start date is after the end date."))
        if start and end and (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError(
                _("Choose a period of at most %(days)d days.") % {"days": MAX_DAYS}
            )
        return attrs


class CountCellSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Event type.")
    label = serializers.CharField()  # type: ignore[assignment]  # shadows Field.label for mypy
    count = serializers.IntegerField()


class SchoolStatsSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    alerts = serializers.IntegerField()
    disposed = serializers.IntegerField()
    false_alarms = serializers.IntegerField()
    false_alarm_rate = serializers.FloatField(allow_null=True)
    median_ack_seconds = serializers.IntegerField(allow_null=True)


class AlertStatsSerializer(serializers.Serializer):
    period = inline_serializer(
        "AlertStatsPeriod",
        {
            "from": serializers.DateField(allow_null=True),
            "to": serializers.DateField(allow_null=True),
        },
    )
    school = serializers.CharField(allow_null=True)
    total = serializers.IntegerField()
    by_type = CountCellSerializer(many=True)
    by_hour = serializers.ListField(
        child=serializers.IntegerField(), help_text="24 counts, hour 0 to 23, Beijing time."
    )
    disposed = serializers.IntegerField()
    false_alarms = serializers.IntegerField()
    false_alarm_rate = serializers.FloatField(allow_null=True)
    acknowledged = serializers.IntegerField()
    median_ack_seconds = serializers.IntegerField(allow_null=True)
    by_school = SchoolStatsSerializer(many=True)


class AlertStatsAPIView(APIView):
    """Alert figures of the caller's scope (the district for the bureau, a school its own)."""

    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(
        description=(
            "Alerts that first fired in the period (default: the last 30 days), by type and "
            "by hour of day; false_alarm_rate = false alarms / alerts disposed (null when "
            "none was disposed); median_ack_seconds from an alert's opening to its "
            "acknowledgement. device_offline alerts count by type and hour only."
        ),
        parameters=[StatsQuerySerializer],
        responses={
            200: AlertStatsSerializer,
            404: OpenApiResponse(description="No such school in the caller's scope."),
        },
    )
    def get(self, request: Request) -> Response:
        params = query(request, StatsQuerySerializer)
        school = None
        if params.get("school"):
            school = visible_schools(request.user).filter(code=params["school"]).first()
            if school is None:  # another school's figures do not exist
                return Response({"detail": _("No such school.")}, status=404)
        stats = alert_statistics(
            user=request.user,
            school=school,
            date_from=params.get("date_from"),
            date_to=params.get("date_to"),
        )
        return Response(AlertStatsSerializer(stats).data)
