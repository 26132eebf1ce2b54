"""Security events that arrive as Django signals: logins, failures, lockouts, refusals."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from safecampus.audit.models import AuditResult
from safecampus.audit.services import audit_record
from safecampus.core.access import access_refused


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="accounts.user.logged_in", obj=user, request=request)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="accounts.user.logged_out", obj=user, request=request)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
    audit_record(
        actor=None,
        action="accounts.user.login_failed",
        result=AuditResult.FAILED,
        request=request,
        object_type="accounts.user",
        object_id=str(known or ""),
        object_repr=username,
    )


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: HttpRequest, username: str, **kwargs: Any) -> None:
    audit_record(
        actor=None,
        action="accounts.user.locked_out",
        result=AuditResult.DENIED,
        request=request,
        object_type="accounts.user",
        object_repr=str(username)[:150],
    )


@receiver(access_refused)
def on_access_refused(sender: Any, request: HttpRequest, access: Any, **kwargs: Any) -> None:
    audit_record(
        actor=request.user,
        action="core.route.refused",
        result=AuditResult.DENIED,
        request=request,
        object_type="route",
        object_repr=request.path[:200],
        changes={"method": request.method},
    )
