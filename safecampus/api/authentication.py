"""``Authorization: Token …`` against hashed tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from safecampus.accounts.models import ApiToken, User
from safecampus.accounts.services import api_token_used

_TOKEN_SQL = (
    "SELECT u.*, t.id AS token_id, t.last_used_at AS token_last_used_at"
    " FROM accounts_user u JOIN accounts_apitoken t ON t.user_id = u.id"
    " WHERE t.digest = %s AND t.revoked_at IS NULL AND u.is_active"
)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, int] | None:
        """``request.user`` is the token's owner; ``request.auth`` is the token's id."""
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        raw = header[1].decode(errors="replace")
        # Every API call runs this: one raw query that yields the user, not two compiled ones.
        found = list(User.objects.raw(_TOKEN_SQL, [ApiToken.digest_of(raw)]))
        if not found:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        user = found[0]
        now = timezone.now()
        # One write a minute at most per token: the last-used time is for people, not accounting.
        token_id: int = getattr(user, "token_id")  # noqa: B009  (a column of the raw query)
        last_used = getattr(user, "token_last_used_at")  # noqa: B009
        if isinstance(last_used, str):  # SQLite hands extra raw columns over unconverted
            last_used = datetime.fromisoformat(last_used)
        if last_used is not None and timezone.is_naive(last_used):
            last_used = last_used.replace(tzinfo=UTC)  # stored in UTC
        if last_used is None or (now - last_used).total_seconds() > 60:
            api_token_used(token_id=token_id, now=now)
        return user, token_id

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
