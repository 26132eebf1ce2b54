"""/api/v1/risk-notices/ and /api/v1/risk-warnings/: the monthly warning notices with their
progress, each school's warning, and the school's acknowledgement and report.

Scoped like the pages (a school reads issued notices and its own warnings; another
school's warning is a 404) and calling the same services, so the rules, audit rows and
errors (``{"detail", "code"}``, translated, 4xx) are the same.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.inputs import IdField, query
from safecampus.api.permissions import HasAccess
from safecampus.risk.choices import WarningLevel
from safecampus.risk.models import SchoolWarning, WarningNotice
from safecampus.risk.permissions import READERS, RESPONDERS
from safecampus.risk.selectors.notices import (
    STATES,
    notice_get,
    notice_list,
    notice_progress,
    warning_get,
    warning_list,
)
from safecampus.risk.services import notices as services_notices


class NoticeSerializer(serializers.ModelSerializer):
    """The notice is a Chinese official document; its seasonal risks are named by their
    Chinese titles, with their English titles (empty when not entered) beside them."""

    seasonal_risks: Any = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="title"
    )
    seasonal_risks_en: Any = serializers.SlugRelatedField(
        source="seasonal_risks", many=True, read_only=True, slug_field="title_en"
    )

    class Meta:
        model = WarningNotice
        fields = [
            "id",
            "month",
            "title",
            "document_number",
            "summary",
            "seasonal_risks",
            "seasonal_risks_en",
            "status",
            "feedback_due",
            "issued_at",
        ]


class ProgressSerializer(serializers.Serializer):
    schools = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    acknowledged_late = serializers.IntegerField()
    overdue_acknowledgement = serializers.IntegerField()
    reported = serializers.IntegerField()
    overdue_feedback = serializers.IntegerField()
    closed = serializers.IntegerField()


class NoticeDetailSerializer(NoticeSerializer):
    progress = serializers.SerializerMethodField()

    class Meta(NoticeSerializer.Meta):
        fields = [*NoticeSerializer.Meta.fields, "progress"]

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_progress(self, notice: WarningNotice) -> dict[str, int] | None:
        """The schools' progress (bureau only; a school reads its own warning instead)."""
        if not self.context.get("district_wide"):
            return None
        return dict(ProgressSerializer(notice_progress(notice=notice)).data)


class WarningSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="unit.code", read_only=True)
    school_name = serializers.CharField(source="unit.name", read_only=True)
    notice = serializers.IntegerField(source="notice_id", read_only=True)
    month = serializers.DateField(source="notice.month", read_only=True)
    acknowledge_due = serializers.DateTimeField(read_only=True, allow_null=True)
    feedback_due = serializers.DateTimeField(
        source="feedback_due_at", read_only=True, allow_null=True
    )
    acknowledgement_overdue = serializers.BooleanField(source="ack_overdue", read_only=True)
    feedback_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = SchoolWarning
        fields = [
            "id",
            "reference",
            "notice",
            "month",
            "school",
            "school_name",
            "level",
            "status",
            "reasons",
            "measures_required",
            "acknowledge_due",
            "acknowledged_at",
            "acknowledgement_overdue",
            "feedback_due",
            "feedback",
            "feedback_at",
            "feedback_overdue",
        ]


ERRORS = {
    400: OpenApiResponse(description="Bad input or a move the workflow does not allow."),
    403: OpenApiResponse(description="The caller may not make this move."),
    404: OpenApiResponse(description="No such warning in the caller's scope."),
    409: OpenApiResponse(description="The warning changed meanwhile."),
}


class NoticeListAPIView(generics.ListAPIView):
    """The monthly notices: all for the bureau, issued ones for a school."""

    access = READERS
    permission_classes = [HasAccess]
    serializer_class = NoticeSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return notice_list(user=self.request.user).prefetch_related("seasonal_risks")


class NoticeDetailAPIView(APIView):
    """One notice, with the schools' progress for the bureau (``null`` for a school)."""

    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(responses={200: NoticeDetailSerializer, 404: ERRORS[404]})
    def get(self, request: Request, notice_id: int) -> Response:
        notice = notice_get(user=request.user, notice_id=notice_id)
        if notice is None:
            raise Http404
        user: Any = request.user
        context = {"district_wide": bool(user.scope.district_wide)}
        return Response(NoticeDetailSerializer(notice, context=context).data)


class WarningQuery(serializers.Serializer):
    notice = IdField(required=False, help_text="A notice id.")
    state = serializers.ChoiceField(choices=list(STATES), required=False)
    level = serializers.ChoiceField(choices=WarningLevel.choices, required=False)


class WarningListAPIView(generics.ListAPIView):
    """School warnings: a school's own, every school's for the bureau."""

    access = READERS
    permission_classes = [HasAccess]
    serializer_class = WarningSerializer

    @extend_schema(parameters=[WarningQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return SchoolWarning.objects.none()
        params = query(self.request, WarningQuery)
        rows = warning_list(
            user=self.request.user, state=params.get("state"), level=params.get("level")
        )
        return rows.filter(notice_id=params["notice"]) if params.get("notice") else rows


def _warning(request: Request, warning_id: int) -> SchoolWarning:
    warning = warning_get(user=request.user, warning_id=warning_id)
    if warning is None:
        raise Http404
    return warning


class FeedbackSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=5000, allow_blank=True)


class WarningAcknowledgeAPIView(APIView):
    """The school's principal or officer acknowledges (签收) its warning."""

    access = RESPONDERS
    permission_classes = [HasAccess]

    @extend_schema(request=None, responses={200: WarningSerializer, **ERRORS})
    def post(self, request: Request, warning_id: int) -> Response:
        warning = _warning(request, warning_id)
        services_notices.warning_acknowledge(actor=request.user, warning=warning)
        return Response(WarningSerializer(_warning(request, warning_id)).data)


class WarningReportAPIView(APIView):
    """The school reports the measures taken (反馈), after acknowledging."""

    access = RESPONDERS
    permission_classes = [HasAccess]

    @extend_schema(request=FeedbackSerializer, responses={200: WarningSerializer, **ERRORS})
    def post(self, request: Request, warning_id: int) -> Response:
        warning = _warning(request, warning_id)
        body = FeedbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services_notices.warning_report(
            actor=request.user, warning=warning, feedback=body.validated_data["feedback"]
        )
        return Response(WarningSerializer(_warning(request, warning_id)).data)


urlpatterns: list[URLPattern] = [
    path("risk-notices/", NoticeListAPIView.as_view(), name="risk-notice-list"),
    path("risk-notices/<int:notice_id>/", NoticeDetailAPIView.as_view(), name="risk-notice-detail"),
    path("risk-warnings/", WarningListAPIView.as_view(), name="risk-warning-list"),
    path(
        "risk-warnings/<int:warning_id>/acknowledge/",
        WarningAcknowledgeAPIView.as_view(),
        name="risk-warning-acknowledge",
    ),
    path(
        "risk-warnings/<int:warning_id>/report/",
        WarningReportAPIView.as_view(),
        name="risk-warning-report",
    ),
]
