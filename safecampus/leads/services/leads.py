"""Reporting a lead (线索) and the moves of its workflow. Every move goes through the case
kernel, which locks the row, checks the workflow and the actor's role, and writes the
timeline and the audit trail. Who may make which move is ``leads.permissions``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, NoReturn

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from safecampus.attachments.services import attachment_create
from safecampus.audit.services import audit_record, mask_changes
from safecampus.cases.choices import CaseEventKind
from safecampus.cases.models import CaseEvent, Deadline, Transfer
from safecampus.cases.selectors import default_escalation_unit
from safecampus.cases.services import (
    case_assign,
    case_create,
    case_transfer,
    case_transition,
    deadline_meet,
    deadline_set,
)
from safecampus.core.rules import rule
from safecampus.leads.choices import (
    TRIAGE_ROLES,
    DualReportChannel,
    DualReportMethod,
    LeadResult,
    LeadSource,
    LeadStatus,
    Urgency,
)
from safecampus.leads.errors import LeadError
from safecampus.leads.models import DualReport, Lead, LeadCategory
from safecampus.leads.permissions import REPORTER_ROLES, forbidden, require_handler, require_triage
from safecampus.leads.services.feedback import answer_own_transfers, gravest_result
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit
from safecampus.organizations.selectors import bureau_unit

ACKNOWLEDGE = "acknowledge"
CONCLUDE = "conclude"
AGENCY_KINDS = (UnitKind.AGENCY, UnitKind.POLICE_STATION)
SENSITIVE = {"reporter_name", "reporter_contact"}


def _escalation_unit() -> Unit | None:
    """Overdue leads go up to the bureau, where its leaders and the safety section are told
    (R-2: 逾期线索报局领导); without a bureau unit, the kernel's default (the section)."""
    return bureau_unit()


def _report_school(actor: Any, school: Unit | None) -> Unit | None:
    scope = actor.scope
    if school is not None and school.kind != UnitKind.SCHOOL:
        raise LeadError(_("Choose a school."), code="bad_school")
    if scope.district_wide:
        return school
    if school is None or school.pk not in scope.school_unit_ids:
        raise LeadError(_("Choose your own school."), code="bad_school")
    return school


def lead_open(*, actor: Any, lead: Lead, section: Unit, files: Sequence[Any]) -> None:
    """Create ``lead`` on the case kernel, record its automatic report to the safety section
    (R-2.2), start the acknowledgement time limit and attach the files. Call inside the
    caller's transaction; ``actor`` is None for an anonymous portal reporter."""
    case_create(actor=actor, case=lead)
    DualReport.objects.create(
        lead=lead,
        channel=DualReportChannel.SAFETY_SECTION,
        reported_to=section.name,
        reported_at=lead.created_at,
        reported_by=actor,
        method=DualReportMethod.SYSTEM,
    )
    deadline_set(
        actor=actor,
        case=lead,
        purpose=ACKNOWLEDGE,
        days=rule("lead_acknowledge_days"),
        label=gettext_noop("Acknowledge the lead"),
        start=lead.created_at,
        escalate_to=_escalation_unit(),
    )
    for uploaded in files:
        attachment_create(actor=actor, owner=lead, uploaded_file=uploaded)


def lead_report(
    *,
    actor: Any,
    category: LeadCategory,
    description: str,
    place: str = "",
    school: Unit | None = None,
    occurred_at: datetime | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    persons_involved: str = "",
    victims: str = "",
    urgency: str = Urgency.NORMAL,
    source: str = LeadSource.INTERNAL,
    reporter_name: str = "",
    reporter_contact: str = "",
    is_anonymous: bool = False,
    files: Sequence[Any] = (),
) -> Lead:
    """Enter a lead from inside the app (bureau or school staff).

    It starts "received", is recorded as reported to the safety section (R-2.2),
    and must be acknowledged within the ``lead_acknowledge_days`` rule. A school
    reports only about itself, as its own screening (排查). All or nothing.
    """
    if not getattr(actor, "is_authenticated", False) or not actor.scope.has_role(*REPORTER_ROLES):
        raise forbidden()
    description = description.strip()
    if not description:
        raise LeadError(_("Describe what happened."), code="description_required")
    if not category.is_active:
        raise LeadError(_("Choose a category in use."), code="bad_category")
    school = _report_school(actor, school)
    if not actor.scope.district_wide:
        source = LeadSource.SCREENING
    section = default_escalation_unit()
    if section is None:
        raise LeadError(_("The bureau safety section is not set up."), code="no_section")
    owner = school if school is not None and not actor.scope.district_wide else section
    lead = Lead(
        unit=owner,
        title=" ".join(description.split())[:80],
        category=category,
        description=description,
        place=place.strip(),
        school=school,
        occurred_at=occurred_at,
        latitude=latitude,
        longitude=longitude,
        persons_involved=persons_involved.strip(),
        victims=victims.strip(),
        urgency=urgency,
        source=source,
        reporter_name="" if is_anonymous else reporter_name.strip(),
        reporter_contact="" if is_anonymous else reporter_contact.strip(),
        is_anonymous=is_anonymous,
    )
    with transaction.atomic():
        lead_open(actor=actor, lead=lead, section=section, files=files)
        audit_record(
            actor=actor,
            action="leads.lead.reported",
            obj=lead,
            changes=mask_changes(
                {
                    "category": category.code,
                    "source": source,
                    "school": school.pk if school else None,
                    "reporter_name": lead.reporter_name,
                    "reporter_contact": lead.reporter_contact,
                    "files": len(files),
                },
                SENSITIVE,
            ),
        )
    return lead


def _conclude_days(lead: Lead) -> int:
    days = lead.category.conclude_days
    if days is None and lead.category.parent_id is not None:
        days = lead.category.parent.conclude_days  # type: ignore[union-attr]
    return rule("lead_conclude_days") if days is None else days


def lead_accept(*, actor: Any, lead: Lead, note: str = "") -> Lead:
    """Accept a received (or reopened) lead as a lead; the time to conclude starts now."""
    with transaction.atomic():
        case_transition(actor=actor, case=lead, to_status=LeadStatus.ACCEPTED, note=note)
        deadline_set(
            actor=actor,
            case=lead,
            purpose=CONCLUDE,
            days=_conclude_days(lead),
            label=gettext_noop("Conclude the lead"),
            escalate_to=_escalation_unit(),
        )
    return lead


def lead_reject(*, actor: Any, lead: Lead, reason: str) -> Lead:
    """Reject a received report as not a lead; a reason is required."""
    case_transition(actor=actor, case=lead, to_status=LeadStatus.REJECTED, note=reason)
    return lead


def lead_reopen(*, actor: Any, lead: Lead, reason: str) -> Lead:
    """Reopen a closed lead (back to accepted) with a reason; a fresh time limit applies."""
    if lead.status != LeadStatus.CLOSED:
        _illegal(lead, LeadStatus.ACCEPTED)
    if not reason.strip():
        raise LeadError(_("Give a reason for reopening this lead."), code="note_required")
    with transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(result="", closed_at=None, concluded_at=None)
        lead.result, lead.closed_at, lead.concluded_at = "", None, None
        return lead_accept(actor=actor, lead=lead, note=reason)


def _illegal(lead: Lead, target: str) -> NoReturn:
    workflow = Lead.workflow
    raise LeadError(
        _("A case that is “%(current)s” cannot become “%(target)s”.")
        % {"current": workflow.label(lead.status), "target": workflow.label(target)},
        code="illegal_transition",
    )


def lead_assign_school(*, actor: Any, lead: Lead, school: Unit, note: str = "") -> Lead:
    """Give an accepted lead to a school to handle."""
    require_triage(actor)
    if school.kind != UnitKind.SCHOOL:
        raise LeadError(_("Choose a school."), code="bad_school")
    if lead.status != LeadStatus.ACCEPTED:
        _illegal(lead, LeadStatus.ASSIGNED)
    with transaction.atomic():
        case_assign(actor=actor, case=lead, unit=school, note=note)
        if lead.school_id is None:
            Lead.objects.filter(pk=lead.pk).update(school=school)
            lead.school = school
        case_transition(actor=actor, case=lead, to_status=LeadStatus.ASSIGNED, note=note)
    return lead


def lead_transfer(
    *,
    actor: Any,
    lead: Lead,
    to_units: Iterable[Unit],
    feedback_days: int | None = None,
    note: str = "",
) -> list[Transfer]:
    """Transfer a lead to one or more partner agencies (移交, R-2.3), each owing feedback
    within ``feedback_days`` working days (the district rule when not given)."""
    require_triage(actor)
    units = list(dict.fromkeys(to_units))
    if not units:
        raise LeadError(_("Choose at least one agency."), code="no_unit")
    if any(unit.kind not in AGENCY_KINDS or not unit.is_active for unit in units):
        raise LeadError(
            _("A lead is transferred to active partner agencies only."), code="bad_unit"
        )
    if lead.status not in (LeadStatus.ACCEPTED, LeadStatus.ASSIGNED):
        _illegal(lead, LeadStatus.TRANSFERRED)
    with transaction.atomic():
        transfers = [
            case_transfer(
                actor=actor,
                case=lead,
                to_unit=unit,
                feedback_days=feedback_days,
                note=note,
                escalate_to=_escalation_unit(),
            )
            for unit in units
        ]
        case_transition(actor=actor, case=lead, to_status=LeadStatus.TRANSFERRED, note=note)
    return transfers


def lead_start_handling(*, actor: Any, lead: Lead, note: str = "") -> Lead:
    """The assigned school or receiving agency (or the bureau) starts handling the lead."""
    require_handler(actor, lead)
    case_transition(actor=actor, case=lead, to_status=LeadStatus.HANDLING, note=note)
    return lead


def lead_conclude(*, actor: Any, lead: Lead, result: str, note: str = "") -> Lead:
    """Conclude a lead being handled with its result (verified, partly, not, prosecution).

    An agency's result is first its feedback on its own transfer. While another agency
    still owes feedback the lead stays "being handled" (the bureau may conclude at any
    time); the last agency's answer concludes it with the gravest result any agency found.
    """
    require_handler(actor, lead)
    if result not in LeadResult.values:
        raise LeadError(_("Choose the result of the handling."), code="result_required")
    with transaction.atomic():
        if lead.status != LeadStatus.HANDLING:
            _illegal(lead, LeadStatus.CONCLUDED)
        if not answer_own_transfers(actor=actor, lead=lead, result=result, note=note):
            return lead
        if not actor.scope.has_role(*TRIAGE_ROLES):
            found = CaseEvent.objects.for_case(lead).filter(kind=CaseEventKind.FEEDBACK)
            result = gravest_result([result, *(e.data.get("result", "") for e in found)])
        event = case_transition(actor=actor, case=lead, to_status=LeadStatus.CONCLUDED, note=note)
        Lead.objects.filter(pk=lead.pk).update(result=result, concluded_at=event.at)
        lead.result, lead.concluded_at = result, event.at
        audit_record(
            actor=actor, action="leads.lead.concluded", obj=lead, changes={"result": result}
        )
    return lead


def lead_close(*, actor: Any, lead: Lead, note: str = "") -> Lead:
    """Close a concluded lead; every time limit still open on it is met."""
    with transaction.atomic():
        case_transition(actor=actor, case=lead, to_status=LeadStatus.CLOSED, note=note)
        purposes = Deadline.objects.for_case(lead).open().values_list("purpose", flat=True)
        for purpose in list(purposes):
            deadline_meet(actor=actor, case=lead, purpose=purpose)
        Lead.objects.filter(pk=lead.pk).update(closed_at=timezone.now())
    return lead


def lead_dual_report_add(
    *,
    actor: Any,
    lead: Lead,
    channel: str,
    reported_to: str,
    method: str,
    reported_at: datetime | None = None,
) -> DualReport:
    """Record that the lead was also reported to the local government or a department."""
    require_triage(actor)
    if channel not in (DualReportChannel.LOCAL_GOVERNMENT, DualReportChannel.DEPARTMENT):
        raise LeadError(_("Choose the local government or a department."), code="bad_channel")
    if method not in DualReportMethod.values:
        raise LeadError(_("Choose how it was reported."), code="bad_method")
    reported_to = reported_to.strip()
    if not reported_to:
        raise LeadError(_("Say to whom it was reported."), code="reported_to_required")
    when = reported_at or timezone.now()
    if when > timezone.now():
        raise LeadError(_("The report cannot be in the future."), code="future")
    with transaction.atomic():
        report = DualReport.objects.create(
            lead=lead,
            channel=channel,
            reported_to=reported_to,
            reported_at=when,
            reported_by=actor,
            method=method,
        )
        audit_record(
            actor=actor,
            action="leads.lead.dual_reported",
            obj=lead,
            changes={"channel": channel, "reported_to": reported_to, "method": method},
        )
    return report


def lead_mark_spam(*, actor: Any, lead: Lead, spam: bool = True) -> Lead:
    """Mark a lead as spam (or not): it stays on record but leaves the statistics."""
    require_triage(actor)
    with transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(is_spam=spam)
        lead.is_spam = spam
        audit_record(actor=actor, action="leads.lead.spam_marked", obj=lead, changes={"spam": spam})
    return lead
