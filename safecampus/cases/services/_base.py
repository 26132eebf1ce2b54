"""Shared steps of the kernel's writes: locking, scope and role checks, timeline events,
audit rows and notifications.

A private module: only the modules of ``cases.services`` import it (the ``private_modules``
import contract holds that); other apps call the services themselves.
"""

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


def acting_person(actor: Any) -> Any:
    """The signed-in person behind ``actor``, or ``None`` for the system (a sweep, a device)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _can_see(actor: Any, case: CaseModel) -> bool:
    queryset = type(case)._default_manager.all()
    visible_to = getattr(queryset, "visible_to", None)
    if visible_to is None:  # a case type without a scope is closed to everyone
        return False
    return bool(visible_to(actor).filter(pk=case.pk).exists())


def forbidden() -> CasePermissionDenied:
    """The one refusal every kernel write raises, so that no message tells what exists."""
    return CasePermissionDenied(_("You are not allowed to do this on this case."), code="forbidden")


def require_visible(actor: Any, case: CaseModel) -> None:
    """Refuse unless ``actor`` is a person whose scope shows ``case`` (fail closed)."""
    if acting_person(actor) is None or not _can_see(actor, case):
        raise forbidden()


def require_role(actor: Any, case: CaseModel, roles: Iterable[str]) -> None:
    """Refuse unless ``actor`` sees ``case`` and holds one of ``roles``."""
    require_visible(actor, case)
    if not actor.scope.has_role(*roles):
        raise forbidden()


def require_open(case: CaseModel, message: str) -> None:
    """Refuse with ``message`` when ``case`` is closed."""
    if case.is_closed:
        raise CaseError(message, code="closed")


def lock(case: C) -> C:
    """The case re-read with its row locked until the transaction ends: every write starts here,
    so two people moving the same case are serialised and the second sees the first's move."""
    return type(case)._default_manager.select_for_update().get(pk=case.pk)


def copy_fields(target: Any, source: Any, fields: Iterable[str]) -> None:
    """Give the caller's instance the values just written to the locked copy."""
    for name in fields:
        setattr(target, name, getattr(source, name))


def timeline_add(
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
    """Append a timeline event (the case's history in the UI and the queue of follow-up work)."""
    person = acting_person(actor)
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


def audit_case(actor: Any, case: CaseModel, verb: str, changes: dict[str, Any]) -> None:
    """Write the audit row ``<app>.<model>.<verb>`` for ``case``."""
    audit_record(actor=actor, action=f"{case._meta.label_lower}.{verb}", obj=case, changes=changes)


def _case_url(case: CaseModel) -> str:
    get_url = getattr(case, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return str(get_url())
    except NoReverseMatch:
        return ""


def tell(
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


def local_text(moment: datetime) -> str:
    """``moment`` as China wall-clock time to the minute, for messages."""
    return f"{timezone.localtime(moment, CHINA_TZ):%Y-%m-%d %H:%M}"


def iso_china(moment: datetime) -> str:
    """``moment`` as ISO 8601 with the China offset, for event and audit data."""
    return timezone.localtime(moment, CHINA_TZ).isoformat()
