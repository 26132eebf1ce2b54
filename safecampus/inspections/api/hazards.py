"""API routes: the hazard register and rectification notices (included by
safecampus.api.urls). Scoped reads through ``visible_to``; every write calls the same service
as its page, so rules, audit rows and errors (``{"detail", "code"}``, 4xx) are the same."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.inputs import CountField, query
from safecampus.api.parsers import BODY_PARSERS
from safecampus.api.permissions import HasAccess
from safecampus.api.schema import form_parameters
from safecampus.inspections.choices import HazardCategory, HazardLevel
from safecampus.inspections.forms.hazards import HazardFilterForm
from safecampus.inspections.models import Hazard, Rectification
from safecampus.inspections.permissions import READERS, RECTIFIERS, REPORTERS, VERIFYING
from safecampus.inspections.selectors.hazards import hazard_list, rectification_list
from safecampus.inspections.services import hazards as hazard_services
from safecampus.inspections.services import rectification as services
from safecampus.organizations.models import Unit

ERRORS = {
    400: OpenApiResponse(description="Bad input, or a move the workflow does not allow."),
    403: OpenApiResponse(description="The caller may not do this."),
    404: OpenApiResponse(description="No such record in the caller's scope."),
    409: OpenApiResponse(description="The notice changed meanwhile or is in another state."),
}


class HazardSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    rectification = serializers.CharField(
        source="rectification.reference", read_only=True, allow_null=True, default=None
    )
    needs_interim_measure = serializers.BooleanField(read_only=True)

    class Meta:
        model = Hazard
        fields = [
            "id",
            "school",
            "school_name",
            "place",
            "category",
            "level",
            "description",
            "status",
            "source",
            "found_by_label",
            "found_at",
            "inspection",
            "rectification",
            "interim_measure",
            "interim_responsible",
            "needs_interim_measure",
            "measures",
            "closed_at",
        ]


class HazardCreateSerializer(serializers.Serializer):
    school = serializers.CharField(max_length=40, help_text="School unit code.")
    category = serializers.ChoiceField(choices=HazardCategory.choices)
    level = serializers.ChoiceField(choices=HazardLevel.choices)
    description = serializers.CharField(max_length=5000)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    interim_measure = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    interim_responsible = serializers.CharField(max_length=60, required=False, allow_blank=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False)


class RectificationSerializer(serializers.ModelSerializer):
    school = serializers.CharField(source="unit.code", read_only=True)
    verifier_unit = serializers.CharField(source="verifier_unit.code", read_only=True)
    hazards = serializers.SerializerMethodField()

    class Meta:
        model = Rectification
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "school",
            "verifier_unit",
            "requirements",
            "measures",
            "due_at",
            "submitted_at",
            "verified_at",
            "returns",
            "on_time",
            "lock_version",
            "created_at",
            "closed_at",
            "hazards",
        ]

    def get_hazards(self, notice: Rectification) -> list[int]:
        return [h.pk for h in notice.hazards.all()]


def _hazard_filters(request: Request) -> dict[str, Any]:
    form = HazardFilterForm(request.query_params or None, user=request.user)
    if request.query_params and not form.is_valid():
        raise ValidationError({k: [str(e) for e in errs] for k, errs in form.errors.items()})
    return form.filters()


class HazardListAPIView(generics.ListCreateAPIView):
    """The hazards the caller may see (filters as on the register page); POST reports one
    (a school's people in their own school, the bureau anywhere)."""

    permission_classes = [HasAccess]
    serializer_class = HazardSerializer
    parser_classes = BODY_PARSERS

    # Reading and reporting are open to the same roles (HAZARD_REPORTER_ROLES).
    access = REPORTERS

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Hazard.objects.none()
        return hazard_list(user=self.request.user, **_hazard_filters(self.request))

    @extend_schema(parameters=form_parameters(HazardFilterForm))
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={
            "application/json": HazardCreateSerializer,
            "multipart/form-data": HazardCreateSerializer,
        },
        responses={201: HazardSerializer, **ERRORS},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = HazardCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        school = Unit.objects.visible_to(request.user).schools().filter(code=values.pop("school"))
        unit = school.first()
        if unit is None:
            raise ValidationError({"school": [_("Unknown school.")]})
        hazard = hazard_services.hazard_register(
            actor=request.user,
            school=unit,
            photos=request.FILES.getlist("photos") if request.FILES else [],
            **{k: v for k, v in values.items() if k != "photos"},
        )
        return Response(HazardSerializer(hazard).data, status=status.HTTP_201_CREATED)


class HazardDetailAPIView(generics.RetrieveAPIView):
    access = READERS
    permission_classes = [HasAccess]
    serializer_class = HazardSerializer
    lookup_url_kwarg = "hazard_id"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return hazard_list(user=self.request.user)


class RectificationQuery(serializers.Serializer):
    state = serializers.ChoiceField(choices=["open", "overdue", "closed"], required=False)


class RectificationListAPIView(generics.ListAPIView):
    """Notices the caller may see; ``state`` = open, overdue or closed."""

    access = READERS
    permission_classes = [HasAccess]
    serializer_class = RectificationSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        state = query(self.request, RectificationQuery).get("state")
        return rectification_list(user=self.request.user, state=state).prefetch_related("hazards")

    @extend_schema(parameters=[RectificationQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class RectificationDetailAPIView(generics.RetrieveAPIView):
    access = READERS
    permission_classes = [HasAccess]
    serializer_class = RectificationSerializer
    lookup_url_kwarg = "rectification_id"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return rectification_list(user=self.request.user)


def _notice(request: Request, rectification_id: int) -> Rectification:
    notice = (
        Rectification.objects.visible_to(request.user)
        .select_related("unit", "verifier_unit", "issued_by")
        .filter(pk=rectification_id)
        .first()
    )
    if notice is None:
        raise Http404
    return notice


def _result(notice: Rectification) -> Response:
    notice.refresh_from_db()
    return Response(RectificationSerializer(notice).data)


class SubmitSerializer(serializers.Serializer):
    measures = serializers.JSONField(
        help_text='Measures per hazard id, e.g. {"12": "Cleared the fire exit."}. In a '
        "multipart request, a JSON text."
    )
    overall = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    expected_version = CountField(required=False, allow_null=True)
    evidence = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="Multipart only: files named evidence_<hazard id> (or evidence for all).",
    )


def _measures(raw: Any) -> dict[int, str]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ValidationError({"measures": [_("Send the measures as JSON.")]}) from exc
    if not isinstance(raw, dict):
        raise ValidationError({"measures": [_("Send the measures per hazard id.")]})
    try:
        return {int(k): str(v or "") for k, v in raw.items()}
    except (TypeError, ValueError) as exc:
        raise ValidationError({"measures": [_("Hazard ids are numbers.")]}) from exc


def _evidence(request: Request) -> dict[int, list[Any]] | list[Any]:
    files = request.FILES
    if not files:
        return []
    shared = files.getlist("evidence")
    per_hazard: dict[int, list[Any]] = {}
    for key in files:
        if key.startswith("evidence_") and key[9:].isascii() and key[9:].isdigit():
            per_hazard[int(key[9:])] = files.getlist(key)
    if per_hazard and shared:
        raise ValidationError({"evidence": [_("Send evidence per hazard or for all, not both.")]})
    return per_hazard or shared


class RectificationSubmitAPIView(APIView):
    """The school reports its measures (JSON per hazard id) and evidence (multipart files
    ``evidence_<hazard id>``, or files uploaded before)."""

    access = RECTIFIERS
    permission_classes = [HasAccess]
    parser_classes = BODY_PARSERS

    @extend_schema(
        request={"application/json": SubmitSerializer, "multipart/form-data": SubmitSerializer},
        responses={200: RectificationSerializer, **ERRORS},
    )
    def post(self, request: Request, rectification_id: int) -> Response:
        notice = _notice(request, rectification_id)
        data: Any = request.data
        if "measures" not in data:
            raise ValidationError({"measures": [_("Give the measures taken for each hazard.")]})
        version = data.get("expected_version")
        services.rectification_submit(
            actor=request.user,
            notice=notice,
            measures=_measures(data.get("measures")),
            overall=str(data.get("overall") or ""),
            evidence=_evidence(request),
            expected_version=int(version) if _ascii_digits(version) else None,
        )
        return _result(notice)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    expected_version = CountField(required=False, allow_null=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    expected_version = CountField(required=False, allow_null=True)


class RectificationVerifyAPIView(APIView):
    """Accept the school's rectification (never your own submission)."""

    access = VERIFYING
    permission_classes = [HasAccess]

    @extend_schema(request=NoteSerializer, responses={200: RectificationSerializer, **ERRORS})
    def post(self, request: Request, rectification_id: int) -> Response:
        notice = _notice(request, rectification_id)
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.rectification_verify(
            actor=request.user,
            notice=notice,
            note=body.validated_data.get("note", ""),
            expected_version=body.validated_data.get("expected_version"),
        )
        return _result(notice)


class RectificationReturnAPIView(APIView):
    """Reject the school's rectification with a reason; it goes back with a new deadline."""

    access = VERIFYING
    permission_classes = [HasAccess]

    @extend_schema(request=ReasonSerializer, responses={200: RectificationSerializer, **ERRORS})
    def post(self, request: Request, rectification_id: int) -> Response:
        notice = _notice(request, rectification_id)
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.rectification_return(
            actor=request.user,
            notice=notice,
            reason=body.validated_data["reason"],
            expected_version=body.validated_data.get("expected_version"),
        )
        return _result(notice)


urlpatterns: list[URLPattern] = [
    path("hazards/", HazardListAPIView.as_view(), name="hazard_list"),
    path("hazards/<int:hazard_id>/", HazardDetailAPIView.as_view(), name="hazard_detail"),
    path("rectifications/", RectificationListAPIView.as_view(), name="rectification_list"),
    path(
        "rectifications/<int:rectification_id>/",
        RectificationDetailAPIView.as_view(),
        name="rectification_detail",
    ),
    path(
        "rectifications/<int:rectification_id>/submit/",
        RectificationSubmitAPIView.as_view(),
        name="rectification_submit",
    ),
    path(
        "rectifications/<int:rectification_id>/verify/",
        RectificationVerifyAPIView.as_view(),
        name="rectification_verify",
    ),
    path(
        "rectifications/<int:rectification_id>/return/",
        RectificationReturnAPIView.as_view(),
        name="rectification_return",
    ),
]


def _ascii_digits(value: object) -> bool:
    """ "12" yes; "²" no (str.isdigit says yes, and int() then fails: a 500)."""
    text = str(value or "")
    return text.isascii() and text.isdigit()
