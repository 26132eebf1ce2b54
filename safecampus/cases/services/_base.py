"""Shared helpers of the kernel's writes: locking, scope and role checks, timeline events,
audit rows and notifications."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.cases.errors import CaseError, CasePermissionDenied
from safecampus.cases.models import CaseEvent, CaseModel
from safecampus.core.localtime import CHINA_TZ
from safecampus.notifications.services import notify

logger = logging.getLogger("safecampus.cases.services")

C = TypeVar("C", bound=CaseModel)

#: Deadlines escalated per sweep; the rest wait for the next run (every five minutes).
SWEEP_BATCH = 500
TRANSFER_PURPOSE = "transfer:{pk}"


# --- helpers ---------------------------------------------------------------------------


def _person(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _can_see(actor: Any, case: CaseModel) -> bool:
    queryset = type(case)._default_manager.all()
    visible_to = getattr(queryset, "visible_to", None)
    if visible_to is None:  # a case type without a scope is closed to everyone
        return False
    return bool(visible_to(actor).filter(pk=case.pk).exists())


def _forbidden() -> CasePermissionDenied:
    return CasePermissionDenied(_("You are not allowed to do this on this case."), code="forbidden")


def _require_visible(actor: Any, case: CaseModel) -> None:
    if _person(actor) is None or not _can_see(actor, case):
        raise _forbidden()


def _require_role(actor: Any, case: CaseModel, roles: Iterable[str]) -> None:
    _require_visible(actor, case)
    if not actor.scope.has_role(*roles):
        raise _forbidden()


def _require_open(case: CaseModel, message: str) -> None:
    if case.is_closed:
        raise CaseError(message, code="closed")


def _lock(case: C) -> C:
    return type(case)._default_manager.select_for_update().get(pk=case.pk)


def _copy(target: Any, source: Any, fields: Iterable[str]) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


def _event(
    case: CaseModel,
    *,
    actor: Any,
    kind: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    person = _person(actor)
    return CaseEvent.objects.create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        at=at or timezone.now(),
        actor=person,
        actor_label=str(person)[:150] if person is not None else "",
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _audit(actor: Any, case: CaseModel, verb: str, changes: dict[str, Any]) -> None:
    audit_record(actor=actor, action=f"{case._meta.label_lower}.{verb}", obj=case, changes=changes)


def _case_url(case: CaseModel) -> str:
    get_url = getattr(case, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return str(get_url())
    except NoReverseMatch:
        return ""


def _tell(
    recipients: Iterable[Any],
    *,
    verb: str,
    case: CaseModel,
    message: Callable[[], tuple[str, str]],
) -> None:
    """Notify each person once, in the language they chose (the worker has no request)."""
    by_language: dict[str, list[Any]] = defaultdict(list)
    for user in recipients:
        language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
        by_language[language].append(user)
    for language, users in by_language.items():
        with translation.override(language):
            title, body = message()
            notify(
                recipients=users,
                verb=verb,
                title=title,
                body=body,
                url=_case_url(case),
                obj=case,
                unit_id=case.unit_id,
            )


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment, CHINA_TZ):%Y-%m-%d %H:%M}"


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment, CHINA_TZ).isoformat()
