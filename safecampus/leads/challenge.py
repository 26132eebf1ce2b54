"""The public portal's proof-of-work challenge (工作量证明): asked only when limits are near.

Stateless: a challenge is ``seed.difficulty.expires.mac``, an HMAC-SHA256 over the first
three parts under a key derived from ``FIELD_HASH_KEY`` (as receipts derive theirs), so
the server keeps nothing until a solution arrives. A solution is a ``nonce`` such that
SHA-256 of ``seed + nonce`` (ASCII) starts with ``difficulty`` zero bits; checking it is
one HMAC and one hash. A solved seed is remembered in the cache until its challenge
expires, so each challenge buys one report. Nothing here knows the client: the challenge
is not bound to an address and none is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from safecampus.core.rules import rule
from safecampus.leads.errors import LeadError

_HKDF_INFO = b"safecampus.leads.portal-challenge.v1"
_SEED_BYTES = 16
# Far above any honest nonce or token; refuses megabyte fields before hashing them.
MAX_NONCE = 32
MAX_TOKEN = 200
_SPENT_PREFIX = "portal-challenge-spent:"


class ChallengeError(LeadError):
    """A report needed a solved challenge and did not bring a valid one; nothing is stored.

    ``required`` and ``expired`` answer 428 (get a fresh challenge and solve it), a forged,
    wrong or reused solution answers 400.
    """

    def __init__(self, message: str, *, code: str, status_code: int) -> None:
        super().__init__(message, code=code)
        self.status_code = status_code


@dataclass(frozen=True)
class Challenge:
    seed: str
    difficulty: int
    expires: int

    @property
    def token(self) -> str:
        body = f"{self.seed}.{self.difficulty}.{self.expires}"
        return f"{body}.{_mac(body)}"

    def as_dict(self) -> dict[str, str | int]:
        """The JSON form programs receive: post ``token`` back as ``challenge``."""
        return {
            "token": self.token,
            "seed": self.seed,
            "difficulty": self.difficulty,
            "expires": self.expires,
            "algorithm": "sha256-leading-zero-bits",
        }


def challenge_issue(*, now: float | None = None) -> Challenge:
    """A fresh challenge at the difficulty and lifetime the rules set."""
    now = time.time() if now is None else now
    return Challenge(
        seed=secrets.token_hex(_SEED_BYTES),
        difficulty=rule("portal_challenge_bits"),
        expires=int(now) + rule("portal_challenge_minutes") * 60,
    )


def challenge_verify(token: str, nonce: str, *, now: float | None = None) -> None:
    """Accept a solved challenge once, or raise ``ChallengeError`` saying why not."""
    now = time.time() if now is None else now
    if not token or not nonce:
        raise ChallengeError(
            _("Your browser must pass a short check before this report can be sent."),
            code="challenge_required",
            status_code=428,
        )
    challenge = _parse(token)
    if challenge is None or len(nonce) > MAX_NONCE or not nonce.isascii():
        raise _invalid()
    if challenge.expires <= now:
        raise ChallengeError(
            _("The check of your browser has expired. Please send the report again."),
            code="challenge_expired",
            status_code=428,
        )
    if leading_zero_bits(solution_digest(challenge.seed, nonce)) < challenge.difficulty:
        raise _invalid()
    # add() is atomic in every cache backend: of two requests with one seed, one wins.
    if not cache.add(_SPENT_PREFIX + challenge.seed, 1, timeout=int(challenge.expires - now) + 1):
        raise ChallengeError(
            _("This check was already used. Please send the report again."),
            code="challenge_reused",
            status_code=400,
        )


def challenge_solve(seed: str, difficulty: int) -> str:
    """The first nonce (decimal) that solves a challenge: what a program or a test does."""
    nonce = 0
    while leading_zero_bits(solution_digest(seed, str(nonce))) < difficulty:
        nonce += 1
    return str(nonce)


def solution_digest(seed: str, nonce: str) -> bytes:
    return hashlib.sha256((seed + nonce).encode("ascii")).digest()


def leading_zero_bits(digest: bytes) -> int:
    value = int.from_bytes(digest, "big")
    return len(digest) * 8 - value.bit_length()


def _invalid() -> ChallengeError:
    return ChallengeError(
        _("The check of your browser failed. Please reload the page and send the report again."),
        code="challenge_invalid",
        status_code=400,
    )


def _parse(token: str) -> Challenge | None:
    if len(token) > MAX_TOKEN:
        return None
    parts = token.split(".")
    if len(parts) != 4:
        return None
    seed, difficulty, expires, mac = parts
    if not hmac.compare_digest(_mac(f"{seed}.{difficulty}.{expires}").encode(), mac.encode()):
        return None
    # Signed by us, so the fields are ours; the checks only guard against a changed format.
    if not (difficulty.isdigit() and expires.isdigit() and len(seed) == 2 * _SEED_BYTES):
        return None
    return Challenge(seed=seed, difficulty=int(difficulty), expires=int(expires))


def _mac(body: str) -> str:
    return hmac.new(_key(settings.FIELD_HASH_KEY), body.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=4)
def _key(field_hash_key: str) -> bytes:
    # Its own label: a challenge MAC never equals a receipt digest or a blind index.
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO)
    return hkdf.derive(field_hash_key.encode())
