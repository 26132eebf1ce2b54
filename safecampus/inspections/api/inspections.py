"""API routes: doing inspections (included by safecampus.api.urls).

``/api/v1/inspections/`` (filters), one inspection with its answers, saving one answer by
item code, submitting. The same services as the pages: same rules, same audit trail,
errors as ``{"detail", "code"}``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.inputs import CountField, MomentField, YearField, query
from safecampus.api.permissions import HasAccess
from safecampus.inspections.choices import AnswerResult, InspectionStatus, TemplateKind
from safecampus.inspections.models import Inspection, InspectionAnswer, TemplateItem
from safecampus.inspections.permissions import PERFORMERS, READERS
from safecampus.inspections.selectors.inspections import answer_payload, inspection_list
from safecampus.inspections.services import inspections as services
from safecampus.organizations.models import Unit


class AnswerSerializer(serializers.Serializer):
    item = serializers.CharField(read_only=True)
    result = serializers.CharField(read_only=True)
    number = serializers.CharField(read_only=True, allow_null=True)
    score = serializers.CharField(read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    answered = serializers.BooleanField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)


class InspectionSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)
    checklist = serializers.CharField(source="version.template.code", read_only=True)
    checklist_version = serializers.IntegerField(source="version.number", read_only=True)
    inspector = serializers.CharField(
        source="inspector.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "school",
            "checklist",
            "checklist_version",
            "kind",
            "performer",
            "inspector",
            "due_on",
            "status",
            "started_at",
            "submitted_at",
            "score",
            "max_score",
            "score_percent",
            "passed",
            "veto_failed",
            "findings_count",
            "summary",
            "lock_version",
        ]


class InspectionDetailSerializer(InspectionSerializer):
    answers = serializers.SerializerMethodField()

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "answers"]

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, inspection: Inspection) -> list[dict[str, Any]]:
        items = {i.pk: i for i in TemplateItem.objects.filter(version_id=inspection.version_id)}
        answers = InspectionAnswer.objects.filter(inspection=inspection)
        return [answer_payload(a, items[a.item_id]) for a in answers]


ERRORS = {
    400: OpenApiResponse(description="Bad input, or required items missing (listed)."),
    403: OpenApiResponse(description="The caller may not perform this inspection."),
    404: OpenApiResponse(description="No such inspection or item in the caller's scope."),
    409: OpenApiResponse(description="Submitted or cancelled, or changed meanwhile."),
}


def _inspection(request: Request, inspection_id: int) -> Inspection:
    inspection = (
        Inspection.objects.visible_to(request.user)
        .select_related("version__template", "school", "inspector")
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None:
        raise Http404
    return inspection


class InspectionQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=InspectionStatus.choices, required=False)
    school = serializers.CharField(max_length=40, required=False, help_text="School unit code.")
    kind = serializers.ChoiceField(choices=TemplateKind.choices, required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    year = YearField(required=False, help_text="Due in this calendar year.")


class InspectionListAPIView(generics.ListAPIView):
    """Inspections the caller may see: the district for the bureau, its own for a school.
    ``overdue=true``: due or in progress past the due date (China time)."""

    access = READERS
    permission_classes = [HasAccess]
    serializer_class = InspectionSerializer
    filter_backends: list[Any] = []

    @extend_schema(parameters=[InspectionQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        params = query(self.request, InspectionQuery)
        school = None
        if params.get("school"):
            school = Unit.objects.schools().filter(code=params["school"]).first()
            if school is None:
                return Inspection.objects.none()
        return inspection_list(
            user=self.request.user,
            status=params.get("status") or None,
            school=school,
            kind=params.get("kind") or None,
            overdue=params.get("overdue"),
            year=params.get("year"),
        )


class InspectionDetailAPIView(APIView):
    """One inspection with its answers."""

    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(responses={200: InspectionDetailSerializer, 404: ERRORS[404]})
    def get(self, request: Request, inspection_id: int) -> Response:
        return Response(InspectionDetailSerializer(_inspection(request, inspection_id)).data)


class AnswerInputSerializer(serializers.Serializer):
    """Fields left out are left as they were; an empty string clears."""

    result = serializers.ChoiceField(
        choices=[("", "—"), *AnswerResult.choices], required=False, allow_blank=True
    )
    number = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    score = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    client_updated_at = MomentField(required=False, allow_null=True)


class AnswerAPIView(APIView):
    """Save the answer to one item (by its code) of a due or in-progress inspection;
    saving the same values again changes nothing."""

    access = PERFORMERS
    permission_classes = [HasAccess]

    @extend_schema(
        request=AnswerInputSerializer,
        responses={
            200: inline_serializer(
                "InspectionAnswerSaved",
                {
                    "answer": AnswerSerializer(),
                    "lock_version": serializers.IntegerField(),
                    "status": serializers.CharField(),
                },
            ),
            **ERRORS,
        },
    )
    def put(self, request: Request, inspection_id: int, item_code: str) -> Response:
        inspection = _inspection(request, inspection_id)
        item = TemplateItem.objects.filter(version_id=inspection.version_id, code=item_code).first()
        if item is None:
            raise Http404
        data = AnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        for name in ("number", "score"):
            if name in values and values[name] is None:
                values[name] = ""
        answer = services.answer_save(
            actor=request.user, inspection=inspection, item=item, **values
        )
        return Response(
            {
                "answer": answer_payload(answer, item),
                "lock_version": inspection.lock_version,
                "status": inspection.status,
            }
        )


class SubmitInput(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    expected_version = CountField(required=False, allow_null=True, default=None)


class InspectionSubmitAPIView(APIView):
    """Submit: scored, failed items become hazards (and, for an inspector, one
    rectification notice). 400 lists the items still missing in ``detail`` and ``missing``."""

    access = PERFORMERS
    permission_classes = [HasAccess]

    @extend_schema(request=SubmitInput, responses={200: InspectionSerializer, **ERRORS})
    def post(self, request: Request, inspection_id: int) -> Response:
        inspection = _inspection(request, inspection_id)
        body = SubmitInput(data=request.data)
        body.is_valid(raise_exception=True)
        summary, expected = body.validated_data["summary"], body.validated_data["expected_version"]
        try:
            submitted = services.inspection_submit(
                actor=request.user,
                inspection=inspection,
                summary=summary,
                expected_version=expected,
            )
        except services.InspectionIncomplete as error:
            missing = [
                {"item": code, "text": text, "missing": what} for code, text, what in error.problems
            ]
            return Response(
                {"detail": str(error.message), "code": error.code, "missing": missing}, status=400
            )
        return Response(InspectionSerializer(_inspection(request, submitted.pk)).data)


urlpatterns: list[URLPattern] = [
    path("inspections/", InspectionListAPIView.as_view(), name="inspection_list"),
    path(
        "inspections/<int:inspection_id>/",
        InspectionDetailAPIView.as_view(),
        name="inspection_detail",
    ),
    path(
        "inspections/<int:inspection_id>/answers/<str:item_code>/",
        AnswerAPIView.as_view(),
        name="inspection_answer",
    ),
    path(
        "inspections/<int:inspection_id>/submit/",
        InspectionSubmitAPIView.as_view(),
        name="inspection_submit",
    ),
]
