"""The request type that signed-in views receive (the access gate has run before them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from safecampus.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


def query_without_page(request: HttpRequest) -> str:
    """The request's filters as a query string, for pagination links to add ``page`` to."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
