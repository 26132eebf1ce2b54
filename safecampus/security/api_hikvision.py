"""Hikvision ISAPI ingestion: ``POST /api/v1/ingest/hikvision/<device code>``, the address a
camera, NVR or access controller is given as its "alarm host / HTTP listening" server.

A device proves who it is with ``Authorization: Device <code>:<secret>`` like any other,
or — since Hikvision devices can only send those — HTTP Basic or HTTP Digest (RFC 7616,
MD5, ``qop=auth``) with the device code as user name and its secret as password. The code
in the path must be the credential's. Digest nonces are stateless: a timestamp and the
device code signed with the server's key, valid for ``NONCE_SECONDS``; an expired one is
answered ``stale=true`` so the device retries at once. The server checks the response
against the HA1 the core stores encrypted at registration (``device_digest_ha1``).

Answers are ISAPI ``ResponseStatus`` documents (JSON when the device posted JSON): 200
once the events are stored (or were already), 400 with the reason for a refused body, 401
for a missing or wrong credential, 403 for another device's path, 413 for an oversized
body or picture. Nothing of a refused body is stored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from safecampus.core.access import Access, AccessMixin
from safecampus.security.adapters.hikvision import MAX_BODY_BYTES, IsapiError, parse_isapi
from safecampus.security.api_ingest import device_from_header, read_body
from safecampus.security.ingest import (
    DIGEST_REALM,
    Device,
    device_authenticate,
    device_digest_ha1,
    device_seen,
    ingest_events,
)

SOURCE = "hikvision"
NONCE_SECONDS = 300
NONCE_SALT = "safecampus.security.hikvision.digest-nonce"
ISAPI_NS = "http://www.isapi.org/ver20/XMLSchema"
_DIGEST_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')

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
        if result.rejected and not (result.accepted or result.duplicates):
            return _answer(request, code, 400, result.rejected[0]["reason"])
        return _answer(request, code, 200)


def _parse(body: bytes, content_type: str) -> list[dict[str, Any]]:
    try:
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
        device = _digest(request, header, code)
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


def _digest(request: HttpRequest, header: str, code: str) -> Device | None:
    """RFC 7616 with MD5 and ``qop=auth``: the response proves the secret without sending it."""
    params = {
        name.lower(): quoted if quoted is not None else bare
        for name, quoted, bare in (
            (m.group(1), m.group(2), m.group(3))
            for m in _DIGEST_PARAM.finditer(header.partition(" ")[2])
        )
    }
    needed = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
    if any(not params.get(name) for name in needed):
        return None
    if params["username"] != code:
        raise _Refused(403, "the user name must be the device code in the path")
    if params["realm"] != DIGEST_REALM or params["qop"] != "auth":
        return None
    if params.get("algorithm", "MD5").upper() != "MD5" or not _same_uri(request, params["uri"]):
        return None
    if not _nonce_valid(params["nonce"], code):
        stale = _nonce_signed(params["nonce"], code)
        raise _Refused(401, "the Digest nonce is expired or not ours", stale=stale)
    device = Device.objects.filter(code=code, enabled=True).select_related("school").first()
    ha1 = device_digest_ha1(device) if device is not None else None
    if device is None or not ha1:
        return None
    ha2 = _md5(f"{request.method}:{params['uri']}")
    expected = _md5(":".join((ha1, params["nonce"], params["nc"], params["cnonce"], "auth", ha2)))
    given = params["response"].lower().encode("utf-8", "replace")
    return device if hmac.compare_digest(expected.encode(), given) else None


def _same_uri(request: HttpRequest, uri: str) -> bool:
    if uri == request.get_full_path():
        return True
    try:
        return urlsplit(uri).path == request.path
    except ValueError:
        return False


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _nonce_new(code: str) -> str:
    stamp = f"{int(time.time()):x}"
    return f"{stamp}.{salted_hmac(NONCE_SALT, f'{stamp}:{code}').hexdigest()[:32]}"


def _nonce_signed(nonce: str, code: str) -> bool:
    stamp, _, mac = nonce.partition(".")
    if not 0 < len(stamp) <= 16:
        return False
    expected = salted_hmac(NONCE_SALT, f"{stamp}:{code}").hexdigest()[:32]
    return hmac.compare_digest(mac.encode("utf-8", "replace"), expected.encode())


def _nonce_valid(nonce: str, code: str) -> bool:
    if not _nonce_signed(nonce, code):
        return False
    try:
        issued = int(nonce.partition(".")[0], 16)
    except ValueError:
        return False
    return 0 <= time.time() - issued <= NONCE_SECONDS


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
    if "json" in request.META.get("CONTENT_TYPE", "").lower():
        response = JsonResponse(fields, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(
            _response_status_xml(fields),
            status=status,
            content_type='application/xml; charset="UTF-8"',
        )
    if status == 401:
        stale_flag = ", stale=true" if stale else ""
        response["WWW-Authenticate"] = (
            f'Digest realm="{DIGEST_REALM}", qop="auth", algorithm=MD5, '
            f'nonce="{_nonce_new(device_code)}"{stale_flag}'
        )
    return response


def _response_status_xml(fields: dict[str, Any]) -> str:
    inner = "".join(f"<{name}>{escape(str(value))}</{name}>\n" for name, value in fields.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ResponseStatus version="2.0" xmlns="{ISAPI_NS}">\n{inner}</ResponseStatus>\n'
    )
