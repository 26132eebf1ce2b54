"""The request type that signed-in views receive (the access gate has run before them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    # django-stubs resolves this alias to settings.AUTH_USER_MODEL (accounts.User), so views
    # get the full user type while core imports no app.
    from django.contrib.auth.models import _User as User
    from django_htmx.middleware import HtmxDetails


class AuthedRequest(HttpRequest):
    """A request whose user is signed in: what every view behind the access gate receives."""

    user: User
    htmx: HtmxDetails


def query_without_page(request: HttpRequest) -> str:
    """The request's filters as a query string, for pagination links to add ``page`` to."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
