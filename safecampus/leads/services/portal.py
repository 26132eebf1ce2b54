"""The anonymous public portal (举报平台): submit a lead, come back with the receipt code.

No account, no address: the reporter is known to the app only by the receipt, of
which only the keyed digest is stored (see ``receipts.py``). Audit rows of portal
writes have no actor and no request, so no client address is ever recorded. The
throttles below are keyed by ``client_key`` — an hourly-rotated HMAC computed in
the view from the address, held in memory only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safecampus.attachments.services import attachment_create
from safecampus.audit.services import audit_record
from safecampus.cases.choices import CaseEventKind
from safecampus.cases.models import CaseEvent
from safecampus.cases.selectors import default_escalation_unit
from safecampus.cases.services import case_comment
from safecampus.core.i18n import localized
from safecampus.core.localtime import local_day
from safecampus.core.rules import rule
from safecampus.leads.challenge import Challenge, challenge_issue, challenge_verify
from safecampus.leads.choices import (
    TRIAGE_ROLES,
    LeadSource,
    LeadStatus,
    MessageDirection,
    Urgency,
)
from safecampus.leads.errors import LeadError
from safecampus.leads.models import Lead, LeadCategory, LeadMessage
from safecampus.leads.permissions import has_roles, require_triage
from safecampus.leads.receipts import (
    LENGTH,
    Throttle,
    receipt_digest,
    receipt_new,
    receipt_normalise,
)
from safecampus.leads.selectors.leads import public_lead_for
from safecampus.leads.services.leads import lead_open
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit

DESCRIPTION_MAX = 5000
PERSONS_MAX = 2000
MESSAGE_MAX = 5000
CONTACT_MAX = 200
PLACE_MAX = 200

# --- throttles (memory only; keys are client_key() values, never addresses) -------------


class _CountingThrottle(Throttle):
    """A throttle that also says how much of its limit a key has used."""

    def used(self, key: str, now: float) -> int:
        with self._lock:
            return len(self._recent(key, now))


#: Wrong or malformed receipts per client; right receipts are not counted.
RECEIPT_THROTTLE = Throttle(
    limit=rule("portal_receipt_failures"), window=rule("portal_receipt_window_minutes") * 60
)
#: Every request with a receipt, right or wrong, per client per minute: each answer is held
#: to ``portal_receipt_answer_ms``, so this bounds how long one client can occupy workers.
LOOKUP_THROTTLE = Throttle(limit=rule("portal_receipt_lookups"), window=60)
#: Submissions per client per hour: generous, as a whole school may share one address.
SUBMIT_THROTTLE = _CountingThrottle(limit=rule("portal_submissions_per_client"), window=3600)
#: Submissions of all clients together per minute, under one constant key.
GLOBAL_SUBMIT_THROTTLE = _CountingThrottle(
    limit=rule("portal_submissions_global"), window=60, max_keys=1
)
GLOBAL_KEY = "portal"
THROTTLES = (RECEIPT_THROTTLE, LOOKUP_THROTTLE, SUBMIT_THROTTLE, GLOBAL_SUBMIT_THROTTLE)


def throttles_reset() -> None:
    """Forget every portal count (a fresh process does; tests start each case this way)."""
    for throttle in THROTTLES:
        throttle._hits.clear()


def _submission_wait(client: str, now: float) -> int:
    return max(
        SUBMIT_THROTTLE.retry_after(client, now),
        GLOBAL_SUBMIT_THROTTLE.retry_after(GLOBAL_KEY, now),
    )


def submission_allowed(client: str, now: float | None = None) -> int:
    """Count one submission of ``client``; 0 if allowed, else the seconds to wait."""
    now = time.monotonic() if now is None else now
    if wait := _submission_wait(client, now):
        return wait
    if not SUBMIT_THROTTLE.allow(client, now):
        return SUBMIT_THROTTLE.retry_after(client, now)
    if not GLOBAL_SUBMIT_THROTTLE.allow(GLOBAL_KEY, now):
        return GLOBAL_SUBMIT_THROTTLE.retry_after(GLOBAL_KEY, now)
    return 0


def challenge_needed(client: str, now: float | None = None) -> bool:
    """Whether ``client`` or all clients together are near a submission limit.

    Near means at or above ``portal_challenge_percent`` of the per-client hourly quota or
    of the global per-minute limit; a report then needs a solved challenge first.
    """
    now = time.monotonic() if now is None else now
    percent = rule("portal_challenge_percent")
    return any(
        throttle.used(key, now) * 100 >= throttle.limit * percent
        for throttle, key in ((SUBMIT_THROTTLE, client), (GLOBAL_SUBMIT_THROTTLE, GLOBAL_KEY))
    )


def challenge_for(client: str, now: float | None = None) -> Challenge | None:
    """A challenge for the report form when one is needed, else None."""
    return challenge_issue() if challenge_needed(client, now) else None


def submission_check(client: str, *, token: str, nonce: str, now: float | None = None) -> int:
    """Let one report of ``client`` through: 0 if allowed, else the seconds to wait.

    Near a limit the report must bring a solved challenge, or ``ChallengeError`` is raised
    and nothing is counted. Past a limit it waits, solved or not.
    """
    now = time.monotonic() if now is None else now
    if wait := _submission_wait(client, now):
        return wait
    if challenge_needed(client, now):
        challenge_verify(token, nonce)
    return submission_allowed(client, now)


@contextmanager
def receipt_answer_time() -> Iterator[None]:
    """Hold an answer about a receipt until ``portal_receipt_answer_ms`` have passed.

    A right receipt costs more queries than a wrong one; the floor sits above that cost,
    so the time of the answer does not tell them apart.
    """
    started = time.monotonic()
    try:
        yield
    finally:
        left = rule("portal_receipt_answer_ms") / 1000 - (time.monotonic() - started)
        if left > 0:
            time.sleep(left)


def receipt_wait(client: str, now: float | None = None) -> int:
    """Count one request with a receipt of ``client``: the seconds it must wait before
    trying a receipt again, or 0 when it may now."""
    now = time.monotonic() if now is None else now
    wait = max(RECEIPT_THROTTLE.retry_after(client, now), LOOKUP_THROTTLE.retry_after(client, now))
    if wait:
        return wait
    if not LOOKUP_THROTTLE.allow(client, now):
        return LOOKUP_THROTTLE.retry_after(client, now)
    return 0


def receipt_failed(client: str, now: float | None = None) -> None:
    """Count one wrong or malformed receipt of ``client``."""
    RECEIPT_THROTTLE.allow(client, time.monotonic() if now is None else now)


def too_many_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return _("Too many attempts. Please try again in %(minutes)d minutes.") % {"minutes": minutes}


# --- errors and public views of a lead ---------------------------------------------------


class ReceiptNotFound(LeadError):
    """No lead has this receipt (a wrong receipt); answered 404."""

    status_code = 404


class ReceiptMalformed(LeadError):
    """The text cannot be a receipt at all; answered 400."""


#: The milestones a reporter sees, in their usual order, with the statuses behind each.
MILESTONES: tuple[tuple[str, Promise, frozenset[str]], ...] = (
    ("received", gettext_lazy("Received"), frozenset({LeadStatus.RECEIVED})),
    ("accepted", gettext_lazy("Accepted"), frozenset({LeadStatus.ACCEPTED})),
    (
        "handling",
        gettext_lazy("Being handled"),
        frozenset({LeadStatus.ASSIGNED, LeadStatus.HANDLING}),
    ),
    ("transferred", gettext_lazy("Transferred"), frozenset({LeadStatus.TRANSFERRED})),
    (
        "concluded",
        gettext_lazy("Concluded"),
        frozenset({LeadStatus.CONCLUDED, LeadStatus.CLOSED, LeadStatus.REJECTED}),
    ),
)


@dataclass(frozen=True)
class Milestone:
    code: str
    label: str
    on: date


@dataclass(frozen=True)
class PublicMessage:
    from_reporter: bool
    body: str
    on: date


@dataclass(frozen=True)
class PublicStatus:
    """What a reporter may know: the category, dated milestones and the conversation."""

    category: str
    milestones: list[Milestone] = field(default_factory=list)
    messages: list[PublicMessage] = field(default_factory=list)
    is_open: bool = True


def _lead_by_receipt(receipt: str) -> Lead:
    canonical = receipt_normalise(receipt or "")
    # The digest is computed for every shape, so a malformed, wrong or right receipt
    # cost the same before the single indexed lookup.
    digest = receipt_digest(canonical or "0" * LENGTH)
    if canonical is None:
        raise ReceiptMalformed(
            _("This is not a receipt code. It has 16 letters and digits, like ABCD-1234-…"),
            code="bad_receipt",
        )
    lead = Lead.objects.filter(receipt_digest=digest).select_related("category").first()
    if lead is None:
        raise ReceiptNotFound(
            _("No report has this receipt code. Check it and try again."), code="not_found"
        )
    return lead


def _milestones(lead: Lead) -> list[Milestone]:
    events = CaseEvent.objects.for_case(lead)
    reached: dict[str, datetime] = {}
    rows = events.filter(
        kind__in=[CaseEventKind.CREATED, CaseEventKind.TRANSITIONED], to_status__gt=""
    ).order_by("at", "id")
    for to_status, at in rows.values_list("to_status", "at"):
        for code, _label, statuses in MILESTONES:
            if to_status in statuses:
                reached.setdefault(code, at)
    order = {code: index for index, (code, _l, _s) in enumerate(MILESTONES)}
    labels = {code: label for code, label, _s in MILESTONES}
    return [
        Milestone(code=code, label=str(labels[code]), on=local_day(at))
        for code, at in sorted(reached.items(), key=lambda item: (item[1], order[item[0]]))
    ]


def _category_label(category: LeadCategory) -> str:
    if category.parent_id is not None:
        return f"{category.parent} · {localized(category)}"
    return localized(category)


def lead_public_status(*, receipt: str) -> PublicStatus | None:
    """The reporter's view of the lead behind ``receipt``; None for a wrong receipt.

    Raises ``ReceiptMalformed`` when the text cannot be a receipt.
    """
    try:
        lead = _lead_by_receipt(receipt)
    except ReceiptNotFound:
        return None
    # A merged report follows the lead it joined; its own messages stay its own.
    shown = public_lead_for(lead)
    messages = [
        PublicMessage(
            from_reporter=message.direction == MessageDirection.FROM_REPORTER,
            body=message.body,
            on=local_day(message.created_at),
        )
        for message in LeadMessage.objects.filter(lead=lead)
    ]
    return PublicStatus(
        category=_category_label(lead.category),
        milestones=_milestones(shown),
        messages=messages,
        is_open=not shown.is_closed,
    )


def _clean_text(text: str, *, limit: int, required: Promise | str | None = None) -> str:
    text = (text or "").strip()
    if required is not None and not text:
        raise LeadError(required, code="required")
    if len(text) > limit:
        raise LeadError(
            _("Keep it under %(limit)d characters.") % {"limit": limit}, code="too_long"
        )
    return text


def _check_point(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if (latitude is None) != (longitude is None):
        raise LeadError(_("Give both coordinates of the point, or neither."), code="bad_point")
    outside = (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    )
    if outside:
        raise LeadError(_("This point is not on the map."), code="bad_point")


def lead_submit_public(
    *,
    category: LeadCategory,
    description: str,
    school: Unit | None = None,
    place: str = "",
    occurred_at: datetime | None = None,
    contact: str = "",
    files: Sequence[Any] = (),
    persons_involved: str = "",
    victims: str = "",
    urgency: str = Urgency.NORMAL,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> tuple[Lead, str]:
    """Record a lead from the public portal; returns it and its receipt, shown once.

    The lead starts "received" with the bureau safety section, like one entered
    inside the app. Only the receipt's digest is stored; the contact (optional)
    is encrypted. All or nothing.
    """
    description = _clean_text(
        description, limit=DESCRIPTION_MAX, required=_("Describe what happened.")
    )
    place = _clean_text(place, limit=PLACE_MAX)
    contact = _clean_text(contact, limit=CONTACT_MAX)
    persons_involved = _clean_text(persons_involved, limit=PERSONS_MAX)
    victims = _clean_text(victims, limit=PERSONS_MAX)
    if urgency not in Urgency.values:
        raise LeadError(_("Choose how urgent it is."), code="bad_urgency")
    _check_point(latitude, longitude)
    if not category.is_active:
        raise LeadError(_("Choose a category in use."), code="bad_category")
    if school is not None and (school.kind != UnitKind.SCHOOL or not school.is_active):
        raise LeadError(_("Choose a school."), code="bad_school")
    if occurred_at is not None and occurred_at > timezone.now():
        raise LeadError(_("The time it happened cannot be in the future."), code="future")
    section = default_escalation_unit()
    if section is None:
        raise LeadError(_("The bureau safety section is not set up."), code="no_section")
    receipt = receipt_new()
    lead = Lead(
        unit=section,
        title=" ".join(description.split())[:80],
        category=category,
        description=description,
        place=place,
        school=school,
        occurred_at=occurred_at,
        persons_involved=persons_involved,
        victims=victims,
        urgency=urgency,
        latitude=latitude,
        longitude=longitude,
        source=LeadSource.PORTAL,
        reporter_contact=contact,
        is_anonymous=not contact,
        receipt_digest=receipt_digest(receipt),
    )
    with transaction.atomic():
        lead_open(actor=None, lead=lead, section=section, files=files)
        audit_record(
            actor=None,
            action="leads.lead.reported",
            obj=lead,
            request=None,
            changes={
                "category": category.code,
                "source": LeadSource.PORTAL,
                "school": school.pk if school else None,
                "anonymous": not contact,
                "files": len(files),
            },
        )
    return lead, receipt


def lead_public_message(*, receipt: str, body: str) -> LeadMessage:
    """The reporter answers the bureau (or writes first), with the receipt."""
    body = _clean_text(body, limit=MESSAGE_MAX, required=_("Write a message first."))
    lead = _lead_by_receipt(receipt)
    with transaction.atomic():
        message = LeadMessage.objects.create(
            lead=lead, direction=MessageDirection.FROM_REPORTER, body=body
        )
        audit_record(
            actor=None,
            action="leads.lead.reporter_answered",
            obj=lead,
            request=None,
            changes={"message": message.pk},
        )
    return message


def lead_public_add_evidence(*, receipt: str, files: Sequence[Any]) -> Lead:
    """The reporter adds files to the lead (metadata is stripped by the attachments app)."""
    if not files:
        raise LeadError(_("Choose at least one file."), code="no_files")
    lead = _lead_by_receipt(receipt)
    if public_lead_for(lead).is_closed:
        raise LeadError(_("This report is closed and takes no more evidence."), code="closed")
    with transaction.atomic():
        for uploaded in files:
            attachment_create(actor=None, owner=lead, uploaded_file=uploaded)
        audit_record(
            actor=None,
            action="leads.lead.evidence_added",
            obj=lead,
            request=None,
            changes={"files": len(files)},
        )
    return lead


def lead_message_reporter(*, actor: Any, lead: Lead, body: str) -> LeadMessage:
    """The bureau safety section writes to the portal reporter; the reporter reads it with
    the receipt. The timeline and the audit trail record that it was sent, not what."""
    require_triage(actor)
    if not lead.receipt_digest:
        raise LeadError(
            _("Only reporters who used the public portal can receive messages."),
            code="no_receipt",
        )
    body = _clean_text(body, limit=MESSAGE_MAX, required=_("Write a message first."))
    with transaction.atomic():
        message = LeadMessage.objects.create(
            lead=lead, direction=MessageDirection.TO_REPORTER, body=body, author=actor
        )
        case_comment(actor=actor, case=lead, note=_("Message sent to the reporter."))
        audit_record(
            actor=actor,
            action="leads.lead.reporter_messaged",
            obj=lead,
            changes={"message": message.pk},
        )
    return message


def lead_conversation(*, actor: Any, lead: Lead) -> list[LeadMessage]:
    """The messages with the reporter, for the bureau safety section only."""
    if not has_roles(actor, TRIAGE_ROLES):
        return []
    return list(LeadMessage.objects.filter(lead=lead).select_related("author"))
