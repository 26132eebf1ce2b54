"""/api/v1/alerts/: alerts for programs, scoped as on the console, and the same moves.

Each move calls the same service as the console, so rules, audit rows and errors
(``{"detail", "code"}``, translated, 4xx) are the same. The live feed for programs is the
SSE stream at ``/alerts/stream/`` (see ``safecampus.security.live``).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.inputs import MomentField, query
from safecampus.api.permissions import HasAccess
from safecampus.core.access import Access
from safecampus.organizations.models import Unit
from safecampus.security.choices import AlertStatus, EventType, Outcome, Priority
from safecampus.security.forms.alerts import ACTIONS, run_action
from safecampus.security.models import Alert
from safecampus.security.selectors.alerts import alert_get, alert_list
from safecampus.security.services.alerts import ALERT_ACTOR_ROLES, ALERT_READER_ROLES

READERS = Access.for_roles(ALERT_READER_ROLES)
ACTORS = Access.for_roles(ALERT_ACTOR_ROLES)


class AlertSerializer(serializers.ModelSerializer):
    """An alert as the console shows it; the subject (a plate, a watch-list entry) included."""

    school = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    device = serializers.CharField(source="device.code", read_only=True, allow_null=True)
    device_name = serializers.CharField(source="device.name", read_only=True, allow_null=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "school",
            "school_name",
            "device",
            "device_name",
            "event_type",
            "zone",
            "priority",
            "status",
            "outcome",
            "count",
            "subject",
            "first_seen_at",
            "last_seen_at",
            "acknowledged_at",
            "disposed_at",
            "escalated_at",
            "help_requested_at",
            "note",
            "updated_at",
        ]


class AlertQuery(serializers.Serializer):
    school = serializers.CharField(max_length=40, required=False, help_text="School unit code.")
    status = serializers.ChoiceField(choices=AlertStatus.choices, required=False)
    priority = serializers.IntegerField(
        min_value=min(Priority.values),
        max_value=max(Priority.values),
        required=False,
        help_text="At least this priority (0–4).",
    )
    type = serializers.ChoiceField(choices=EventType.choices, required=False)
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    since = MomentField(required=False, help_text="Changed at or after (ISO 8601 with offset).")


def _filters(params: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {
        "status": params.get("status", ""),
        "priority_min": params.get("priority"),
        "event_type": params.get("type", ""),
        "outcome": params.get("outcome", ""),
    }
    if params.get("school"):
        unit = Unit.objects.schools().filter(code=params["school"]).values_list("pk", flat=True)
        found["school"] = unit.first() or -1
    return found


class AlertListAPIView(generics.ListAPIView):
    """Alerts the caller may see, newest first: every school's for the bureau, the own
    school's for its guard room."""

    access = READERS
    permission_classes = [HasAccess]
    serializer_class = AlertSerializer

    @extend_schema(parameters=[AlertQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = query(self.request, AlertQuery)
        alerts = alert_list(user=self.request.user, **_filters(params))
        if params.get("since"):
            alerts = alerts.filter(updated_at__gte=params["since"])
        return alerts


class AlertDetailAPIView(generics.RetrieveAPIView):
    access = READERS
    permission_classes = [HasAccess]
    serializer_class = AlertSerializer

    def get_object(self) -> Alert:
        alert = alert_get(user=self.request.user, pk=self.kwargs["alert_id"])
        if alert is None:
            raise Http404
        return alert


ERRORS = {
    400: OpenApiResponse(description="Bad input."),
    403: OpenApiResponse(description="The caller may not act on this alert."),
    404: OpenApiResponse(description="No such alert in the caller's scope."),
    409: OpenApiResponse(description="The alert's state does not allow this move."),
}


class AlertActionAPIView(APIView):
    """acknowledge; dispose (``outcome``, ``note`` required for a real incident); escalate
    (``note``: into an incident for the bureau); request-help (the area's police station)."""

    access = ACTORS
    permission_classes = [HasAccess]

    @extend_schema(
        request=inline_serializer(
            "AlertActionRequest",
            {
                "outcome": serializers.ChoiceField(choices=Outcome.choices, required=False),
                "note": serializers.CharField(required=False),
            },
        ),
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=sorted(ACTIONS))],
        responses={200: AlertSerializer, **ERRORS},
    )
    def post(self, request: Request, alert_id: int, action: str) -> Response:
        alert = alert_get(user=request.user, pk=alert_id)
        if alert is None or action not in ACTIONS:
            raise Http404
        run_action(request.user, alert, action, request.data)  # a refusal is a 4xx
        return Response(AlertSerializer(alert_get(user=request.user, pk=alert_id)).data)
