"""Hikvision ISAPI ingestion: ``POST /api/v1/ingest/hikvision/<device code>``, the address a
camera, NVR or access controller is given as its "alarm host / HTTP listening" server.

A device proves who it is with ``Authorization: Device <code>:<secret>`` like any other,
or — since Hikvision devices can only send those — HTTP Basic or HTTP Digest (RFC 7616,
MD5, ``qop=auth``, ``security.digest``) with the device code as user name and its secret as
password. The code in the path must be the credential's. A Digest answer is accepted once
(each nonce count once, growing); a replayed one gets 401 and a fresh challenge, an expired
nonce 401 with ``stale=true`` so the device retries at once.

Answers are ISAPI ``ResponseStatus`` documents (JSON when the device posted JSON): 200
once the events are stored (or were already), 400 with the reason for a refused body, 401
for a missing or wrong credential, 403 for another device's path, 413 for an oversized
body or picture. Nothing of a refused body is stored.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from safecampus.core.access import Access, AccessMixin
from safecampus.security.adapters.hikvision.parser import MAX_BODY_BYTES, IsapiError, parse_isapi
from safecampus.security.api.ingest import device_from_header, read_body
from safecampus.security.services.digest import DigestRefused, digest_authenticate, digest_challenge
from safecampus.security.services.ingest import (
    Device,
    device_authenticate,
    device_seen,
    ingest_events,
)

SOURCE = "hikvision"
ISAPI_NS = "http://www.isapi.org/ver20/XMLSchema"

#: HTTP status -> ISAPI statusCode, statusString, subStatusCode.
_ISAPI_STATUS = {
    200: (1, "OK", "ok"),
    400: (6, "Invalid Content", "badContent"),
    401: (4, "Invalid Operation", "notAuthenticated"),
    403: (4, "Invalid Operation", "forbidden"),
    413: (6, "Invalid Content", "messageTooLarge"),
}


class _Refused(Exception):
    def __init__(self, status: int, reason: str, *, stale: bool = False) -> None:
        super().__init__(reason)
        self.status, self.reason, self.stale = status, reason, stale


@method_decorator(csrf_exempt, name="dispatch")
class HikvisionIngestView(AccessMixin, View):
    """Event notifications from one Hikvision device (XML, JSON or multipart with pictures)."""

    access = Access.public()
    http_method_names = ["post"]

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        try:
            device = _authenticate(request, code)
            body = read_body(request, MAX_BODY_BYTES)
            if body is None:
                raise _Refused(413, f"the body is larger than {MAX_BODY_BYTES // 2**20} MB")
            items = _parse(body, request.META.get("CONTENT_TYPE", ""))
        except _Refused as refused:
            return _answer(request, code, refused.status, refused.reason, stale=refused.stale)
        if not items:
            device_seen(device=device)
            return _answer(request, code, 200)
        result = ingest_events(device=device, items=items, source=SOURCE)
        # A Hikvision device re-sends a notification until it is answered 200: a duplicate
        # or a partly stored body is answered 200, or it would be re-sent for nothing; 400
        # only when nothing of it could be stored.
        if result.rejected and not (result.accepted or result.duplicates):
            return _answer(request, code, 400, result.rejected[0]["reason"])
        return _answer(request, code, 200)


def _parse(body: bytes, content_type: str) -> list[dict[str, Any]]:
    try:
        # Older firmware sends a naive dateTime: it is the device's wall clock, set to the
        # school's (the project's) time zone.
        return parse_isapi(body, content_type, local_tz=timezone.get_default_timezone())
    except IsapiError as refused:
        raise _Refused(refused.status, refused.reason) from None


# --- who is calling ------------------------------------------------------------------------


def _authenticate(request: HttpRequest, code: str) -> Device:
    """The device behind the request's credential, which must be the path's device."""
    header = request.headers.get("Authorization", "")[:4096]
    scheme = header.partition(" ")[0].lower()
    if scheme == "device":
        device = device_from_header(request)
    elif scheme == "basic":
        device = _basic(header, code)
    elif scheme == "digest":
        try:
            device = digest_authenticate(request, header.partition(" ")[2], code)
        except DigestRefused as refused:
            raise _Refused(
                403 if refused.wrong_device else 401, refused.reason, stale=refused.stale
            ) from None
    else:
        raise _Refused(401, "a device credential is required (Device, Basic or Digest)")
    if device is None:
        raise _Refused(401, "unknown device or wrong secret")
    if device.code != code:
        raise _Refused(403, "the credential belongs to another device than the path names")
    return device


def _basic(header: str, code: str) -> Device | None:
    try:
        decoded = base64.b64decode(header.partition(" ")[2].strip(), validate=True).decode()
    except (binascii.Error, ValueError):
        return None
    username, sep, secret = decoded.partition(":")
    if not sep:
        return None
    if username != code:
        raise _Refused(403, "the user name must be the device code in the path")
    return device_authenticate(username, secret)


# --- answers -------------------------------------------------------------------------------


def _answer(
    request: HttpRequest, device_code: str, status: int, reason: str = "", *, stale: bool = False
) -> HttpResponse:
    """An ISAPI ResponseStatus, in JSON when the device spoke JSON; a Digest challenge
    with every 401."""
    code, text, sub = _ISAPI_STATUS[status]
    fields: dict[str, Any] = {
        "requestURL": request.path,
        "statusCode": code,
        "statusString": text,
        "subStatusCode": sub,
    }
    if reason:
        fields["errorMsg"] = reason
    response: HttpResponse
    # Answered in the format the device posted, the one it is known to read.
    if "json" in request.META.get("CONTENT_TYPE", "").lower():
        response = JsonResponse(fields, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(
            _response_status_xml(fields),
            status=status,
            content_type='application/xml; charset="UTF-8"',
        )
    if status == 401:
        # A device sends its credential in answer to a challenge: every 401 carries a fresh
        # Digest nonce, so a device that posted without one, or with a spent one, retries.
        response["WWW-Authenticate"] = digest_challenge(device_code, stale=stale)
    return response


def _response_status_xml(fields: dict[str, Any]) -> str:
    inner = "".join(f"<{name}>{escape(str(value))}</{name}>\n" for name, value in fields.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ResponseStatus version="2.0" xmlns="{ISAPI_NS}">\n{inner}</ResponseStatus>\n'
    )
