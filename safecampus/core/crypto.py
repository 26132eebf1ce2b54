"""Field encryption for sensitive values (ID numbers, phones, reporter identity, minors' names).

AES-256-GCM with keys from ``FIELD_ENCRYPTION_KEYS`` (never ``SECRET_KEY``). A
token names the key that sealed it, so keys rotate: the first key encrypts, every
listed key decrypts, and ``manage.py rotate_field_keys`` re-seals old tokens.
The associated data binds a token to its column, so a ciphertext copied into
another column does not decrypt. Exact-match lookup uses a keyed hash
(HMAC-SHA256 with ``FIELD_HASH_KEY``) of the normalised value.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TOKEN_PREFIX = "enc1"


class DecryptionError(Exception):
    """A stored token could not be opened with any configured key."""


@dataclass(frozen=True)
class Keyring:
    primary_id: str
    keys: dict[str, AESGCM]


@lru_cache(maxsize=4)
def _keyring(spec: tuple[str, ...]) -> Keyring:
    keys: dict[str, AESGCM] = {}
    for item in spec:
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id or ":" in encoded:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS items look like 'id:base64key'.")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"Field key {key_id!r} is not base64.") from exc
        if len(raw) != 32:
            raise ImproperlyConfigured(f"Field key {key_id!r} must be 32 bytes.")
        keys[key_id] = AESGCM(raw)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return Keyring(primary_id=spec[0].partition(":")[0], keys=keys)


def keyring() -> Keyring:
    return _keyring(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str, *, context: str) -> str:
    ring = keyring()
    nonce = os.urandom(12)
    sealed = ring.keys[ring.primary_id].encrypt(nonce, plaintext.encode(), context.encode())
    body = base64.urlsafe_b64encode(nonce + sealed).decode()
    return f"{TOKEN_PREFIX}:{ring.primary_id}:{body}"


def decrypt(token: str, *, context: str) -> str:
    prefix, key_id, body = _split(token)
    aead = keyring().keys.get(key_id)
    if prefix != TOKEN_PREFIX or aead is None:
        raise DecryptionError(f"No configured key {key_id!r} for this value.")
    try:
        raw = base64.urlsafe_b64decode(body)
        return aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
    except (InvalidTag, ValueError) as exc:  # ValueError: bad base64, or a cut nonce
        raise DecryptionError("The value was altered or belongs to another column.") from exc


def token_key_id(token: str) -> str:
    return _split(token)[1]


def _split(token: str) -> tuple[str, str, str]:
    parts = token.split(":", 2)
    if len(parts) != 3:
        raise DecryptionError("Not an encrypted value.")
    return parts[0], parts[1], parts[2]


def normalise(value: str) -> str:
    """The form used for exact-match hashing: NFKC, no spaces or dashes, upper case."""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in folded if ch not in " -\t").upper()


def blind_index(value: str, *, context: str) -> str:
    """Keyed hash for exact lookup; the context keeps equal values in different columns apart."""
    key = settings.FIELD_HASH_KEY.encode()
    message = f"{context}\x00{normalise(value)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
