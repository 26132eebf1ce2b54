"""Who may call a route: every view declares it, and a test proves none is missing.

A view says ``access = Access.roles(...)`` (class-based) or wears
``@declare(Access....)`` (function). The check is made before the view runs:
anonymous users go to the login page (HTML) or get 401 (API), users without a
listed role get 403 and an audit row. Object scope is not checked here: views
load objects through ``visible_to(user)`` so that another unit's object is a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse

F = TypeVar("F", bound=Callable[..., Any])

#: Sent when a signed-in user is refused a route; the audit app records it.
access_refused = Signal()


@dataclass(frozen=True)
class Access:
    """A route's rule: public, any signed-in user, or signed-in users holding one of ``roles``."""

    kind: str
    roles: frozenset[str] = frozenset()

    @classmethod
    def public(cls) -> Access:
        return cls("public")

    @classmethod
    def authenticated(cls) -> Access:
        return cls("authenticated")

    @classmethod
    def for_roles(cls, roles: Iterable[str]) -> Access:
        return cls("roles", frozenset(roles))

    def allows(self, user: Any) -> bool:
        if self.kind == "public":
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        if self.kind == "authenticated":
            return True
        return bool(self.roles & getattr(user, "roles", frozenset()))


def refuse(request: HttpRequest, access: Access) -> HttpResponse:
    """Login redirect for anonymous users; 403 (recorded by the audit signal) otherwise."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    access_refused.send(sender=Access, request=request, access=access)
    raise PermissionDenied


def declare(access: Access) -> Callable[[F], F]:
    """Decorator for function views: attach and enforce ``access``."""

    def wrap(view: F) -> F:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not access.allows(request.user):
                return refuse(request, access)
            return view(request, *args, **kwargs)

        guarded.access = access  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return wrap


class AccessMixin:
    """For class-based views: set ``access`` on the class."""

    access: Access

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.access.allows(request.user):
            return refuse(request, self.access)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
