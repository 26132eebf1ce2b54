"""HTTP ingestion: ``POST /api/v1/ingest/events`` with ``Authorization: Device <code>:<secret>``.

The route is public to the web layer (devices have no session); the device credential is
checked here, and every answer is JSON: 202 with the counts, 401 for a bad credential,
400 for a body that is not JSON, 413 for an oversized one.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from safecampus.core.access import Access, AccessMixin
from safecampus.security.services.ingest import (
    MAX_BATCH,
    Device,
    device_authenticate,
    ingest_events,
)

MAX_BODY_BYTES = 16 * 1024 * 1024


def device_from_header(request: HttpRequest) -> Device | None:
    """The device named by ``Authorization: Device <code>:<secret>``, if the secret is right."""
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "device" or ":" not in credential:
        return None
    code, _, secret = credential.strip().partition(":")
    return device_authenticate(code.strip(), secret.strip())


def read_body(request: HttpRequest, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The body, or None when it is (or claims to be) larger than ``limit``."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return None
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def problem(status: int, detail: str, **extra: Any) -> JsonResponse:
    response = JsonResponse({"detail": detail, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Device realm="SafeCampus"'
    return response


@method_decorator(csrf_exempt, name="dispatch")
class IngestEventsView(AccessMixin, View):
    """One event (a JSON object) or a batch (a JSON array, at most 1,000) from one device."""

    access = Access.public()
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> JsonResponse:
        device = device_from_header(request)
        if device is None:
            return problem(401, "unknown device or wrong secret")
        body = read_body(request)
        if body is None:
            return problem(413, f"the body is larger than {MAX_BODY_BYTES // 1024 // 1024} MB")
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return problem(400, "the body is not JSON")
        items = payload if isinstance(payload, list) else [payload]
        if not items:
            return problem(400, "no events")
        if len(items) > MAX_BATCH:
            return problem(413, f"at most {MAX_BATCH} events per request")
        result = ingest_events(device=device, items=items, source="http")
        return JsonResponse(result.as_dict(), status=202)
