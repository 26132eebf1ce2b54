"""/api/v1/public/leads/…: the anonymous public portal for programs — report a lead, then
follow it and write to the bureau with the receipt. No login, no session, no CSRF; the
same throttles, challenge and answer time as the portal's pages."""

from __future__ import annotations

import time
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.parsers import BODY_PARSERS
from safecampus.api.permissions import HasAccess
from safecampus.core.access import Access
from safecampus.core.bounds import moment_validators
from safecampus.leads.challenge import ChallengeError
from safecampus.leads.choices import Urgency
from safecampus.leads.errors import LeadError
from safecampus.leads.models import LeadCategory
from safecampus.leads.receipts import client_key
from safecampus.leads.services import portal
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit

CATEGORY_HELP = gettext_lazy(
    "Category code: gang_disruption, lawless_persons, construction_coercion, campus_loans, "
    "bullying_violence, other (or the code of one of their sub-types)."
)


class PublicLeadSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=40, help_text=CATEGORY_HELP)
    description = serializers.CharField(max_length=portal.DESCRIPTION_MAX)
    school = serializers.CharField(max_length=40, required=False, allow_blank=True)
    place = serializers.CharField(max_length=portal.PLACE_MAX, required=False, allow_blank=True)
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, validators=moment_validators()
    )
    contact = serializers.CharField(max_length=portal.CONTACT_MAX, required=False, allow_blank=True)
    persons_involved = serializers.CharField(
        max_length=portal.PERSONS_MAX, required=False, allow_blank=True
    )
    victims = serializers.CharField(max_length=portal.PERSONS_MAX, required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
    )
    files = serializers.ListField(child=serializers.FileField(), required=False)
    challenge = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("The token of the challenge a 428 answer gave, once solved."),
    )
    nonce = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy(
            "A decimal nonce such that SHA-256(seed + nonce) starts with `difficulty` zero bits."
        ),
    )

    def validate_category(self, value: str) -> LeadCategory:
        category = LeadCategory.objects.filter(code=value.strip(), is_active=True).first()
        if category is None:
            raise serializers.ValidationError(_("Unknown category."))
        return category

    def validate_school(self, value: str) -> Unit | None:
        if not value.strip():
            return None
        school = Unit.objects.filter(
            code=value.strip(), kind=UnitKind.SCHOOL, is_active=True
        ).first()
        if school is None:
            raise serializers.ValidationError(_("Unknown school."))
        return school


class ReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField(max_length=64)


class PublicMessageSerializer(ReceiptSerializer):
    message = serializers.CharField(max_length=portal.MESSAGE_MAX)


def _client(request: Request) -> str:
    return client_key(str(request.META.get("REMOTE_ADDR", "")))


def _too_many(seconds: int) -> Response:
    return Response(
        {"detail": portal.too_many_message(seconds), "code": "throttled"},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(seconds)},
    )


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


class _PublicAPIView(APIView):
    access = Access.public()
    permission_classes = [HasAccess]
    authentication_classes: list[Any] = []
    throttle_classes: list[Any] = []  # our own throttles, keyed without storing addresses

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        return _no_store(super().finalize_response(request, response, *args, **kwargs))


def _status_data(result: portal.PublicStatus) -> dict[str, Any]:
    return {
        "category": result.category,
        "open": result.is_open,
        "milestones": [
            {"code": m.code, "label": m.label, "date": m.on.isoformat()} for m in result.milestones
        ],
        "messages": [
            {
                "direction": "from_reporter" if m.from_reporter else "to_reporter",
                "body": m.body,
                "date": m.on.isoformat(),
            }
            for m in result.messages
        ],
    }


def _resolve(request: Request, receipt: str) -> portal.PublicStatus:
    """The status behind ``receipt``; a wrong or malformed one counts against the client."""
    try:
        result = portal.lead_public_status(receipt=receipt)
    except portal.ReceiptMalformed:
        portal.receipt_failed(_client(request))
        raise
    if result is None:
        portal.receipt_failed(_client(request))
        raise portal.ReceiptNotFound(
            _("No report has this receipt code. Check it and try again."), code="not_found"
        )
    return result


def _challenge_refused(exc: ChallengeError, client: str) -> Response:
    """428 or 400 with a fresh challenge in the body, so a program can solve it and retry."""
    body: dict[str, Any] = {"detail": str(exc.message), "code": exc.code}
    fresh = portal.challenge_for(client)
    if fresh is not None:
        body["challenge"] = fresh.as_dict()
    return Response(body, status=exc.status_code)


class PublicLeadCreateAPIView(_PublicAPIView):
    """Report a lead without an account; the answer holds the receipt code, shown once.

    Near a submission limit a report without a solved challenge gets 428 Precondition
    Required with ``challenge`` in the body (not 429: nothing needs waiting for, only a
    second or two of hashing). Find a decimal ``nonce`` such that SHA-256 of
    ``seed + nonce`` starts with ``difficulty`` zero bits and post the report again with
    ``challenge`` (the token) and ``nonce``. An expired challenge is 428 again; a forged,
    wrong or used one is 400; both bodies carry a fresh challenge.
    """

    parser_classes = BODY_PARSERS

    @extend_schema(
        request=PublicLeadSerializer,
        responses={
            201: inline_serializer("PublicReceipt", {"receipt": serializers.CharField()}),
            400: OpenApiResponse(
                description="Unknown category, empty description, bad file; a forged, wrong "
                "or used challenge (code challenge_invalid or challenge_reused)."
            ),
            428: OpenApiResponse(
                description="A solved challenge is needed (code challenge_required or "
                "challenge_expired); the body holds {token, seed, difficulty, expires}."
            ),
            429: OpenApiResponse(description="Too many reports; see Retry-After."),
        },
    )
    def post(self, request: Request) -> Response:
        client = _client(request)
        data: Any = request.data
        solution = data if hasattr(data, "get") else {}
        try:
            wait = portal.submission_check(
                client,
                token=str(solution.get("challenge") or ""),
                nonce=str(solution.get("nonce") or ""),
                now=time.monotonic(),
            )
        except ChallengeError as exc:
            return _challenge_refused(exc, client)
        if wait:
            return _too_many(wait)
        if hasattr(data, "getlist"):
            data = {k: data.get(k) for k in data if k != "files"}
            files = request.FILES.getlist("files")
            if files:
                data["files"] = files
        serializer = PublicLeadSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        _lead, receipt = portal.lead_submit_public(
            category=values["category"],
            description=values["description"],
            school=values.get("school"),
            place=values.get("place") or "",
            occurred_at=values.get("occurred_at"),
            contact=values.get("contact") or "",
            files=values.get("files") or [],
            persons_involved=values.get("persons_involved") or "",
            victims=values.get("victims") or "",
            urgency=values.get("urgency") or Urgency.NORMAL,
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
        )
        return Response({"receipt": receipt}, status=status.HTTP_201_CREATED)


RECEIPT_ERRORS = {
    404: OpenApiResponse(description="No report has this receipt code."),
    429: OpenApiResponse(description="Too many wrong receipts from here; see Retry-After."),
}


class PublicLeadStatusAPIView(_PublicAPIView):
    """Milestones and messages of the lead behind a receipt; a wrong receipt is 404."""

    @extend_schema(request=ReceiptSerializer, responses={200: dict, **RECEIPT_ERRORS})
    def post(self, request: Request) -> Response:
        wait = portal.receipt_wait(_client(request))
        if wait:  # answered at once: a throttled client learns nothing about receipts
            return _too_many(wait)
        # Right and wrong receipts answer after the same time (the portal's contract).
        with portal.receipt_answer_time():
            return self.answer(request)

    def answer(self, request: Request) -> Response:
        serializer = ReceiptSerializer(data=request.data)
        if not serializer.is_valid():
            portal.receipt_failed(_client(request))
            raise LeadError(_("Enter your receipt code."), code="bad_receipt")
        return Response(_status_data(_resolve(request, serializer.validated_data["receipt"])))


class PublicLeadMessageAPIView(_PublicAPIView):
    """The reporter writes to the bureau's safety section with the receipt."""

    @extend_schema(request=PublicMessageSerializer, responses={201: dict, **RECEIPT_ERRORS})
    def post(self, request: Request) -> Response:
        wait = portal.receipt_wait(_client(request))
        if wait:
            return _too_many(wait)
        with portal.receipt_answer_time():
            return self.answer(request)

    def answer(self, request: Request) -> Response:
        serializer = PublicMessageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        receipt = serializer.validated_data["receipt"]
        _resolve(request, receipt)
        portal.lead_public_message(receipt=receipt, body=serializer.validated_data["message"])
        result = portal.lead_public_status(receipt=receipt)
        assert result is not None
        return Response(_status_data(result), status=status.HTTP_201_CREATED)
