"""Putting one outbox row on the wire: SMTP through Django, webhooks through urllib.

Webhooks are POSTed as JSON and signed: ``X-SafeCampus-Signature: sha256=<hex>``
is the HMAC-SHA256 of the exact body bytes with the endpoint's secret, and
``X-SafeCampus-Timestamp`` the Unix time of the attempt. Redirects are not
followed (a redirect could point the signed body anywhere); any status outside
2xx is a failure.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage

from safecampus.notifications.models import WebhookEndpoint

SIGNATURE_HEADER = "X-SafeCampus-Signature"
TIMESTAMP_HEADER = "X-SafeCampus-Timestamp"


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_RefuseRedirects)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_email(payload: dict[str, Any]) -> None:
    EmailMessage(
        subject=payload["subject"],
        body=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[payload["to"]],
    ).send(fail_silently=False)


def post_webhook(endpoint: WebhookEndpoint, payload: dict[str, Any]) -> int:
    if urlsplit(endpoint.url).scheme not in ("http", "https"):
        raise ValueError("Webhook URLs must use http or https.")
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "SafeCampus-Webhook/1",
            SIGNATURE_HEADER: sign(endpoint.secret, body),
            TIMESTAMP_HEADER: str(int(time.time())),
        },
    )
    with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
        return int(response.status)
