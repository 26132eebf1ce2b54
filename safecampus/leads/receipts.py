"""Receipt codes (回执码) for anonymous reporters, and the throttle for wrong guesses.

A receipt is 16 random characters from Crockford's base32 alphabet (80 bits from
``secrets``), shown once as ``XXXX-XXXX-XXXX-XXXX``: no I, L, O or U, so it reads
aloud and types on a phone without confusion, and a mistyped O, I or L is still
accepted as 0, 1 or 1.

Only a keyed hash is stored: HMAC-SHA256 with a key outside the database
(``RECEIPT_HASH_KEY``, or one derived from ``FIELD_HASH_KEY`` by HKDF), hex, so
a returning reporter is found by an exact indexed match. Argon2 is not used on
purpose. A slow hash protects *low-entropy* secrets; with 80 random bits an
offline search is infeasible even at billions of HMACs a second, and without the
key a stolen database cannot test a single guess. The slow hash would only cost
real reporters: GlobaLeaks spends 3.4 CPU-seconds per report on two 128 MiB
Argon2id runs and manages about 0.3 reports/s on this machine; HMAC costs
microseconds. Online guessing is stopped by ``Throttle`` instead, keyed by
``client_key`` so no client address is ever stored.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
import unicodedata
from collections import OrderedDict, deque
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP = 4
LENGTH = 16
ENTROPY_BITS = LENGTH * 5

_CONFUSABLES = {"O": "0", "I": "1", "L": "1"}
_SEPARATORS = frozenset("-‐‑‒–—―−_")
# Far above any honest formatting of 16 characters; refuses megabyte "receipts"
# before Unicode normalisation spends time on them.
_MAX_INPUT = 64
_HKDF_INFO = b"safecampus.leads.receipt-hash.v1"


def receipt_new() -> str:
    """A fresh receipt in canonical form; it is shown once and never stored."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return _group(raw)


def receipt_normalise(text: str) -> str | None:
    """The canonical form of what a reporter typed, or None if it cannot be a receipt.

    Case, spaces, dashes (missing, extra or typographic) and full-width input do
    not matter; O reads as 0 and I or L as 1. Anything else is a wrong shape, so
    the caller answers 400 without a lookup.
    """
    if len(text) > _MAX_INPUT:
        return None
    folded = unicodedata.normalize("NFKC", text).upper()
    chars = [
        _CONFUSABLES.get(ch, ch) for ch in folded if not ch.isspace() and ch not in _SEPARATORS
    ]
    if len(chars) != LENGTH or any(ch not in ALPHABET for ch in chars):
        return None
    return _group("".join(chars))


def receipt_digest(receipt: str) -> str:
    """The stored form: hex HMAC-SHA256 of the canonical receipt under the receipt key."""
    canonical = receipt_normalise(receipt)
    if canonical is None:
        raise ValueError("Not a receipt code.")
    return hmac.new(_receipt_key(), canonical.encode(), hashlib.sha256).hexdigest()


def receipt_matches(receipt: str, digest: str) -> bool:
    """Whether ``receipt`` is the one behind ``digest``, compared in constant time."""
    canonical = receipt_normalise(receipt)
    # A malformed receipt still costs one HMAC, so timing does not tell shape from value.
    candidate = receipt_digest(canonical or "0" * LENGTH)
    return hmac.compare_digest(candidate.encode(), digest.encode()) and canonical is not None


def _group(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def _receipt_key() -> bytes:
    dedicated = getattr(settings, "RECEIPT_HASH_KEY", None)
    if dedicated:
        return str(dedicated).encode()
    return _derived_key(settings.FIELD_HASH_KEY)


@lru_cache(maxsize=4)
def _derived_key(field_hash_key: str) -> bytes:
    # A separate label keeps receipt digests from ever equalling a blind index of
    # the same text made with FIELD_HASH_KEY itself.
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO)
    return hkdf.derive(field_hash_key.encode())


_client_lock = threading.Lock()
_client_hour: int | None = None
_client_secret = b""


def client_key(address: str, *, now: float | None = None) -> str:
    """An opaque throttle key for a client address, unlinkable to it after the hour ends.

    HMAC-SHA256 under a random per-process key that is replaced every wall-clock
    hour and never written anywhere, so neither memory dumps after the hour nor
    logs of throttle keys lead back to an address.
    """
    global _client_hour, _client_secret
    hour = int((time.time() if now is None else now) // 3600)
    with _client_lock:
        if hour != _client_hour:
            _client_hour, _client_secret = hour, secrets.token_bytes(32)
        secret = _client_secret
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()


class Throttle:
    """At most ``limit`` attempts per key in any sliding ``window`` of seconds.

    Refused attempts are not counted, so a client that keeps trying is held back
    for one window at most. Memory is bounded: past ``max_keys`` keys the least
    recently active key is forgotten (its next attempt starts a fresh window),
    which is why a global throttle should sit beside the per-client one. State
    is per process; with several workers each keeps its own counts.
    """

    def __init__(self, *, limit: int, window: float, max_keys: int = 10_000) -> None:
        if limit < 1 or window <= 0 or max_keys < 1:
            raise ValueError("Throttle needs limit >= 1, window > 0 and max_keys >= 1.")
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> bool:
        """Record an attempt for ``key`` at ``now`` if the window has room; else refuse."""
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            self._hits[key] = hits
            self._hits.move_to_end(key)
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            return True

    def retry_after(self, key: str, now: float) -> int:
        """Whole seconds until ``key`` may try again; 0 if it may now."""
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) < self.limit:
                return 0
            return max(1, math.ceil(hits[0] + self.window - now))

    def __len__(self) -> int:
        with self._lock:
            return len(self._hits)

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if not hits:
            self._hits.pop(key, None)
        return hits
