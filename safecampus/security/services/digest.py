"""HTTP Digest for devices (RFC 7616, MD5, ``qop=auth``): the response proves the device's
secret without sending it, and each answer is accepted once.

A nonce is a timestamp, a random part and an HMAC of both with the device code under the
server's key, valid for ``NONCE_SECONDS``: the server keeps nothing until a device answers
it. A device may answer one nonce many times with a growing nonce count (``nc``); the
highest count accepted per nonce is kept in the database (``DigestNonce``), which every
web worker and process shares, so a replayed ``Authorization`` header — the same
(nonce, nc), or an older count — is refused wherever it lands. That proves the device, not
the body: only HTTPS keeps a body from being read or changed on the way.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from safecampus.security.models import DigestNonce
from safecampus.security.services.ingest import DIGEST_REALM, Device, device_digest_ha1

NONCE_SECONDS = 300
NONCE_SALT = "safecampus.security.hikvision.digest-nonce"
_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')
_NONCE_COUNT = re.compile(r"[0-9a-fA-F]{8}")
_NEEDED = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")


class DigestRefused(Exception):
    """A Digest answer refused; ``stale`` when only the nonce had expired (the device
    may answer the fresh challenge at once), ``wrong_device`` when the user name is not
    the device the path names."""

    def __init__(self, reason: str, *, stale: bool = False, wrong_device: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.stale, self.wrong_device = reason, stale, wrong_device


@dataclass(frozen=True)
class _Answer:
    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    qop: str
    nc: str
    cnonce: str
    algorithm: str


def digest_challenge(code: str, *, stale: bool = False) -> str:
    """The ``WWW-Authenticate`` value with a fresh nonce for device ``code``."""
    flag = ", stale=true" if stale else ""
    return (
        f'Digest realm="{DIGEST_REALM}", qop="auth", algorithm=MD5, '
        f'nonce="{_nonce_new(code)}"{flag}'
    )


def digest_authenticate(request: HttpRequest, header: str, code: str) -> Device | None:
    """The enabled device ``code`` if ``header`` is its Digest answer to one of our nonces,
    with a nonce count above every count accepted before for that nonce.

    ``None`` for a malformed header or a wrong secret; ``DigestRefused`` for an expired or
    foreign nonce, a replayed count, or another device's user name.
    """
    answer = _parse(header)
    if answer is None:
        return None
    if answer.username != code:
        raise DigestRefused("the user name must be the device code in the path", wrong_device=True)
    if answer.realm != DIGEST_REALM or answer.qop != "auth" or answer.algorithm != "MD5":
        return None
    if not _NONCE_COUNT.fullmatch(answer.nc) or not _same_uri(request, answer.uri):
        return None
    issued = _nonce_issued(answer.nonce, code)
    if issued is None or not 0 <= time.time() - issued <= NONCE_SECONDS:
        raise DigestRefused("the Digest nonce is expired or not ours", stale=issued is not None)
    device = Device.objects.filter(code=code, enabled=True).select_related("school").first()
    ha1 = device_digest_ha1(device) if device is not None else None
    if device is None or not ha1 or not _response_matches(request, answer, ha1):
        return None
    # Only a proven answer may spend a count: a stranger cannot use up a device's nonce.
    expires_at = datetime.fromtimestamp(issued + NONCE_SECONDS, tz=UTC)
    if not digest_nonce_use(nonce=answer.nonce, nc=int(answer.nc, 16), expires_at=expires_at):
        raise DigestRefused("this Digest nonce count was already used")
    return device


def digest_nonce_use(*, nonce: str, nc: int, expires_at: datetime) -> bool:
    """Accept count ``nc`` of ``nonce`` only if it is above every count accepted for it.

    The first use inserts the row (a concurrent first use loses on the primary key and is
    judged like any later use); a later one wins only through ``UPDATE … WHERE last_nc <
    nc``, which the database lets one request at a time pass. Call it outside a
    transaction, so that a spent count stays spent whatever happens to the body. Rows of
    expired nonces are purged on the way, when a new nonce is stored.
    """
    if DigestNonce.objects.filter(nonce=nonce, last_nc__lt=nc).update(last_nc=nc):
        return True
    try:
        with transaction.atomic():
            DigestNonce.objects.create(nonce=nonce, last_nc=nc, expires_at=expires_at)
    except IntegrityError:
        return DigestNonce.objects.filter(nonce=nonce, last_nc__lt=nc).update(last_nc=nc) == 1
    digest_nonce_purge()
    return True


def digest_nonce_purge(*, now: datetime | None = None) -> int:
    """Delete the rows of nonces that have expired (no answer to them is accepted any more)."""
    deleted, _ = DigestNonce.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted


# --- the protocol ----------------------------------------------------------------------------


def _parse(header: str) -> _Answer | None:
    params = {
        name.lower(): quoted if quoted is not None else bare
        for name, quoted, bare in (
            (m.group(1), m.group(2), m.group(3)) for m in _PARAM.finditer(header)
        )
    }
    if any(not params.get(name) for name in _NEEDED):
        return None
    return _Answer(
        **{name: params[name] for name in _NEEDED},
        algorithm=params.get("algorithm", "MD5").upper(),
    )


def _response_matches(request: HttpRequest, answer: _Answer, ha1: str) -> bool:
    ha2 = _md5(f"{request.method}:{answer.uri}")
    expected = _md5(":".join((ha1, answer.nonce, answer.nc, answer.cnonce, "auth", ha2)))
    given = answer.response.lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected.encode(), given)


def _same_uri(request: HttpRequest, uri: str) -> bool:
    # The answer must be for this request (RFC 7616 asks the server to check its uri), or
    # one answer could be replayed on another path; a client may give the path with its
    # query or an absolute URI, so the path alone also counts.
    if uri == request.get_full_path():
        return True
    try:
        return urlsplit(uri).path == request.path
    except ValueError:
        return False


def _md5(text: str) -> str:
    # MD5 because that is the Digest the devices speak (RFC 7616's legacy default); marked
    # not-for-security so that OpenSSL builds in FIPS mode still allow it.
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _nonce_mac(stamp: str, salt: str, code: str) -> str:
    return salted_hmac(NONCE_SALT, f"{stamp}:{salt}:{code}").hexdigest()[:32]


def _nonce_new(code: str) -> str:
    # The random part keeps two challenges of the same second apart: each is its own nonce
    # with its own counts, so two connections of one camera do not spend each other's.
    stamp, salt = f"{int(time.time()):x}", secrets.token_hex(6)
    return f"{stamp}.{salt}.{_nonce_mac(stamp, salt, code)}"


def _nonce_issued(nonce: str, code: str) -> int | None:
    """When our nonce for ``code`` was issued (Unix time), or ``None`` if it is not ours."""
    parts = nonce.split(".")
    if len(parts) != 3 or not 0 < len(parts[0]) <= 16 or len(parts[1]) > 12:
        return None
    stamp, salt, mac = parts
    expected = _nonce_mac(stamp, salt, code)
    if not hmac.compare_digest(mac.encode("utf-8", "replace"), expected.encode()):
        return None
    try:
        return int(stamp, 16)
    except ValueError:
        return None
