"""The monthly warning notice (预警通知): drafted from the month's grades and seasonal risks,
issued to every active school on the case kernel, acknowledged (签收) and answered with the
measures taken (反馈) by each school, closed or sent back by the bureau.

Escalation of a missed acknowledgement or feedback is the kernel's ``deadline_sweep`` over
the deadlines set at issue: each limit is set twice, escalated to the school and to the
bureau, so a miss reaches the principal and officer and the bureau's safety officer and
leader, each exactly once.

Issuing writes the kernel's rows for all schools in bulk (warnings, references
``YJ-YYYY-NNNNNN``, CREATED and DEADLINE_SET events, deadlines): what ``case_create`` and
``deadline_set`` write one school at a time, in batches for the whole district (a few
dozen statements, whatever the number of schools, instead of ~25 per school); only each
school's notification costs statements of its own. A notice to 1,000 schools is issued
within the request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from safecampus.audit.services import audit_record
from safecampus.cases.calendar import add_working_days, due_at
from safecampus.cases.choices import CaseEventKind
from safecampus.cases.models import CaseEvent, Deadline
from safecampus.cases.services import case_transition, deadline_set
from safecampus.core.localtime import CHINA_TZ, local_day
from safecampus.core.rules import rule
from safecampus.notifications.services import notify
from safecampus.organizations.choices import Role, UnitKind
from safecampus.organizations.models import Membership, School
from safecampus.organizations.selectors import bureau_unit
from safecampus.risk.choices import (
    ACKNOWLEDGE_BUREAU_PURPOSE,
    ACKNOWLEDGE_PURPOSE,
    FEEDBACK_BUREAU_PURPOSE,
    FEEDBACK_PURPOSE,
    LEADER_LEVELS,
    RISK_MANAGER_ROLES,
    SCHOOL_RESPONDERS,
    SCHOOL_WARNING_LEVELS,
    NoticeStatus,
    SchoolWarningStatus,
    WarningLevel,
)
from safecampus.risk.errors import RiskConflict, RiskError, RiskForbidden
from safecampus.risk.grading import month_start, warning_measures, warning_reasons
from safecampus.risk.models import RiskGrade, SchoolWarning, SeasonalRisk, WarningNotice

ACKNOWLEDGE_LABEL = gettext_noop("Acknowledge the warning notice")
FEEDBACK_LABEL = gettext_noop("Report the measures taken")

# The notice is a Chinese official document (公文) whatever the reader's language: its title,
# its district-wide text and each school's required measures are written in Chinese.
TITLE = "关于{year}年{month}月全区学校安全风险预警的通知"
SUMMARY_INTRO = "{month}月是以下安全风险的易发期，各校要对照落实防范措施："


# --- helpers -----------------------------------------------------------------------------


def _forbidden() -> RiskForbidden:
    return RiskForbidden(_("You are not allowed to do this."), code="forbidden")


def _require_manager(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise _forbidden()
    if not actor.scope.has_role(*RISK_MANAGER_ROLES):
        raise _forbidden()


def _require_responder(actor: Any, warning: SchoolWarning) -> None:
    """The school's own principal or officer: a role in another school does not count."""
    if not getattr(actor, "is_authenticated", False):
        raise _forbidden()
    if not actor.scope.has_role(*SCHOOL_RESPONDERS, unit_id=warning.unit_id):
        raise _forbidden()


def _audit(actor: Any, obj: Any, verb: str, changes: dict[str, Any], unit_id: Any = None) -> None:
    audit_record(
        actor=actor,
        action=f"risk.{obj._meta.model_name}.{verb}",
        obj=obj,
        changes=changes,
        unit_id=unit_id,
    )


def chinese_month(month: date) -> str:
    return f"{month.year}年{month.month}月"


def _today() -> date:
    return local_day(timezone.now())


def _check_feedback_due(feedback_due: date) -> None:
    if feedback_due < _today():
        raise RiskError(_("The feedback date cannot be in the past."), code="past_date")


def active_seasonal_risks(month: date) -> list[SeasonalRisk]:
    """The active seasonal risks whose months include ``month``'s."""
    return [
        risk
        for risk in SeasonalRisk.objects.filter(is_active=True).order_by("category", "id")
        if month.month in (risk.months or [])
    ]


def seasonal_summary(month: date, risks: Sequence[SeasonalRisk]) -> str:
    """The district-wide warning: each seasonal risk of the month with its measures."""
    if not risks:
        return ""
    lines = [SUMMARY_INTRO.format(month=month.month)]
    for index, risk in enumerate(risks, start=1):
        lines.append(f"{index}．{risk.title}：{risk.measures.strip()}")
    return "\n".join(lines)


# --- the notice ----------------------------------------------------------------------------


def notice_draft(*, actor: Any, month: date, feedback_due: date | None = None) -> WarningNotice:
    """Draft the notice of ``month`` (one per month) from its seasonal risks.

    Refused when the month has no grades yet (they are computed first) or the feedback
    date is past; the feedback date defaults to ``warning_feedback_days`` working days
    from today (China time).
    """
    _require_manager(actor)
    month = month_start(month)
    if not RiskGrade.objects.filter(month=month).exists():
        raise RiskError(
            _("No school has a grade for %(month)s yet: compute the grades first.")
            % {"month": f"{month:%Y-%m}"},
            code="no_grades",
        )
    if feedback_due is None:
        feedback_due = local_day(add_working_days(timezone.now(), rule("warning_feedback_days")))
    _check_feedback_due(feedback_due)
    risks = active_seasonal_risks(month)
    with transaction.atomic():
        if WarningNotice.objects.select_for_update().filter(month=month).exists():
            raise RiskConflict(
                _("The notice of %(month)s already exists.") % {"month": f"{month:%Y-%m}"},
                code="exists",
            )
        notice = WarningNotice.objects.create(
            month=month,
            title=TITLE.format(year=month.year, month=month.month),
            summary=seasonal_summary(month, risks),
            feedback_due=feedback_due,
            created_by=actor,
        )
        notice.seasonal_risks.set(risks)
        _audit(
            actor,
            notice,
            "drafted",
            {"month": month.isoformat(), "feedback_due": feedback_due.isoformat()},
        )
    return notice


def notice_update(
    *,
    actor: Any,
    notice: WarningNotice,
    title: str | None = None,
    document_number: str | None = None,
    summary: str | None = None,
    feedback_due: date | None = None,
    seasonal_risks: Iterable[SeasonalRisk] | None = None,
) -> WarningNotice:
    """Edit a draft; an issued notice is fixed (it is what the schools signed for)."""
    _require_manager(actor)
    if title is not None and not title.strip():
        raise RiskError(_("The notice needs a title."), code="title_required")
    if feedback_due is not None:
        _check_feedback_due(feedback_due)
    with transaction.atomic():
        locked = WarningNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != NoticeStatus.DRAFT:
            raise RiskConflict(_("An issued notice cannot be changed."), code="issued")
        changes: dict[str, Any] = {}
        for name, value in (
            ("title", title.strip() if title is not None else None),
            ("document_number", document_number.strip() if document_number is not None else None),
            ("summary", summary.strip() if summary is not None else None),
            ("feedback_due", feedback_due),
        ):
            if value is not None and getattr(locked, name) != value:
                changes[name] = [str(getattr(locked, name)), str(value)]
                setattr(locked, name, value)
        locked.save()
        if seasonal_risks is not None:
            ids = sorted(risk.pk for risk in seasonal_risks)
            locked.seasonal_risks.set(ids)
            changes["seasonal_risks"] = ids
        _audit(actor, locked, "updated", changes)
    return locked


def _warning_rows(
    notice: WarningNotice, schools: Sequence[School], grades: dict[int, RiskGrade]
) -> list[SchoolWarning]:
    rows = []
    for school in schools:
        grade = grades.get(school.unit_id)
        level = grade.level if grade is not None else WarningLevel.BLUE
        specific = level in SCHOOL_WARNING_LEVELS and grade is not None
        rows.append(
            SchoolWarning(
                # bulk_create skips what case_create would check: the kernel's title is 200 long.
                title=notice.title[:200],
                unit_id=school.unit_id,
                assignee_unit_id=school.unit_id,
                notice=notice,
                level=level,
                status=SchoolWarningStatus.ISSUED,
                reasons=warning_reasons(grade.factors) if specific and grade else "",
                measures_required=warning_measures(grade.factors) if specific and grade else "",
            )
        )
    return rows


def _kernel_rows(
    actor: Any, warnings: Sequence[SchoolWarning], notice: WarningNotice, now: datetime
) -> dict[str, datetime]:
    """What ``case_create`` and ``deadline_set`` write for each warning, in bulk."""
    content_type = ContentType.objects.get_for_model(SchoolWarning)
    bureau = bureau_unit()
    year = local_day(now).year
    for warning in warnings:
        warning.reference = f"{SchoolWarning.reference_prefix}-{year}-{warning.pk:06d}"
    SchoolWarning.objects.bulk_update(warnings, ["reference"], batch_size=1000)
    label = str(actor)[:150]  # CaseEvent.actor_label's length, as case_transition writes it
    feedback_days = max((notice.feedback_due - local_day(now)).days, 0)
    limits = (
        (ACKNOWLEDGE_PURPOSE, ACKNOWLEDGE_LABEL, rule("warning_acknowledge_days"), True, None),
        (ACKNOWLEDGE_BUREAU_PURPOSE, ACKNOWLEDGE_LABEL, rule("warning_acknowledge_days"), True, 1),
        (FEEDBACK_PURPOSE, FEEDBACK_LABEL, feedback_days, False, None),
        (FEEDBACK_BUREAU_PURPOSE, FEEDBACK_LABEL, feedback_days, False, 1),
    )
    dues = {purpose: due_at(now, days, working_days=wd) for purpose, _l, days, wd, _b in limits}
    events, deadlines = [], []
    for warning in warnings:
        common = {"content_type": content_type, "object_id": warning.pk}
        events.append(
            CaseEvent(
                **common,
                at=now,
                actor=actor,
                actor_label=label,
                kind=CaseEventKind.CREATED,
                to_status=SchoolWarningStatus.ISSUED,
            )
        )
        for purpose, text, days, working, to_bureau in limits:
            deadlines.append(
                Deadline(
                    **common,
                    purpose=purpose,
                    label=text,
                    started_at=now,
                    days=days,
                    working_days=working,
                    due_at=dues[purpose],
                    escalate_to_id=(bureau.pk if bureau else None)
                    if to_bureau
                    else warning.unit_id,
                    set_by=actor,
                )
            )
    Deadline.objects.bulk_create(deadlines, batch_size=1000)
    for deadline in deadlines:
        events.append(
            CaseEvent(
                content_type=content_type,
                object_id=deadline.object_id,
                at=now,
                actor=actor,
                actor_label=label,
                kind=CaseEventKind.DEADLINE_SET,
                data={
                    "deadline": deadline.pk,
                    "purpose": deadline.purpose,
                    "days": deadline.days,
                    "working_days": deadline.working_days,
                    "due_at": timezone.localtime(deadline.due_at, CHINA_TZ).isoformat(),
                    "replaced": None,
                },
            )
        )
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    return dues


def _responders_by_school(school_ids: Iterable[int]) -> dict[int, list[Any]]:
    rows = (
        Membership.objects.active()
        .filter(unit_id__in=list(school_ids), role__in=SCHOOL_RESPONDERS)
        .select_related("user")
        .order_by("unit_id", "user_id")
    )
    people: dict[int, dict[int, Any]] = defaultdict(dict)
    for membership in rows:
        people[membership.unit_id][membership.user_id] = membership.user
    return {unit_id: list(users.values()) for unit_id, users in people.items()}


def _bureau_people(roles: frozenset[str]) -> list[Any]:
    from safecampus.cases.selectors import unit_handlers

    bureau = bureau_unit()
    if bureau is None:
        return []
    return unit_handlers(bureau, {UnitKind.BUREAU: roles})


def _notify_schools(warnings: Sequence[SchoolWarning], dues: dict[str, datetime]) -> None:
    """One notification to each school's principal and officer, in their own language."""
    people = _responders_by_school(w.unit_id for w in warnings)
    ack = f"{timezone.localtime(dues[ACKNOWLEDGE_PURPOSE], CHINA_TZ):%Y-%m-%d %H:%M}"
    for warning in warnings:
        by_language: dict[str, list[Any]] = defaultdict(list)
        for user in people.get(warning.unit_id, []):
            language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
            by_language[language].append(user)
        for language, recipients in by_language.items():
            with translation.override(language):
                notify(
                    recipients=recipients,
                    verb="risk.schoolwarning.issued",
                    title=_("Monthly risk warning %(reference)s")
                    % {"reference": warning.reference},
                    body=_("Acknowledge it by %(due)s and report the measures taken by %(date)s.")
                    % {"due": ack, "date": f"{warning.notice.feedback_due:%Y-%m-%d}"},
                    url=warning.get_absolute_url(),
                    obj=warning,
                )


def _notify_leader(notice: WarningNotice, by_level: dict[str, int]) -> None:
    counted = {level: n for level, n in by_level.items() if level in LEADER_LEVELS and n}
    if not counted:
        return
    from django.urls import reverse

    with translation.override(settings.LANGUAGE_CODE):
        parts = [
            f"{WarningLevel(level).label}: {counted[level]}"
            for level in WarningLevel.values
            if level in counted
        ]
        notify(
            recipients=_bureau_people(frozenset({Role.BUREAU_LEADER})),
            verb="risk.warningnotice.issued",
            title=_("Monthly risk warning issued: %(title)s") % {"title": notice.title},
            body=_("Schools at yellow or above: %(counts)s.") % {"counts": "; ".join(parts)},
            url=reverse("risk:notice", args=[notice.pk]),
            obj=notice,
        )


def notice_issue(*, actor: Any, notice: WarningNotice) -> WarningNotice:
    """Issue a draft: one warning per active school (school-specific reasons and measures for
    orange and red), acknowledgement and feedback deadlines, notifications to each school's
    principal and officer and to the bureau leader about yellow-and-above schools."""
    _require_manager(actor)
    now = timezone.now()
    with transaction.atomic():
        locked = WarningNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != NoticeStatus.DRAFT:
            raise RiskConflict(_("This notice has already been issued."), code="issued")
        _check_feedback_due(locked.feedback_due)
        schools = list(School.objects.filter(unit__is_active=True).order_by("unit__code"))
        if not schools:
            raise RiskError(_("There is no active school to warn."), code="no_schools")
        grades = {g.school_id: g for g in RiskGrade.objects.filter(month=locked.month)}
        warnings = SchoolWarning.objects.bulk_create(
            _warning_rows(locked, schools, grades), batch_size=1000
        )
        dues = _kernel_rows(actor, warnings, locked, now)
        locked.status, locked.issued_at, locked.issued_by = NoticeStatus.ISSUED, now, actor
        locked.save(update_fields=["status", "issued_at", "issued_by", "updated_at"])
        by_level = dict.fromkeys(WarningLevel.values, 0)
        for warning in warnings:
            by_level[warning.level] += 1
        _audit(
            actor,
            locked,
            "issued",
            {
                "schools": len(warnings),
                "by_level": by_level,
                "warnings": [warnings[0].pk, warnings[-1].pk],
                "acknowledge_due": timezone.localtime(dues[ACKNOWLEDGE_PURPOSE]).isoformat(),
                "feedback_due": locked.feedback_due.isoformat(),
            },
        )
        _notify_schools(warnings, dues)
        _notify_leader(locked, by_level)
    return locked


# --- one school's warning --------------------------------------------------------------------


def warning_update(
    *, actor: Any, warning: SchoolWarning, reasons: str, measures_required: str
) -> SchoolWarning:
    """The bureau edits a school's reasons and required measures while it is open."""
    _require_manager(actor)
    with transaction.atomic():
        locked = SchoolWarning.objects.select_for_update().get(pk=warning.pk)
        if locked.is_closed:
            raise RiskConflict(_("A closed warning cannot be changed."), code="closed")
        changes = {
            "reasons": [locked.reasons, reasons.strip()],
            "measures_required": [locked.measures_required, measures_required.strip()],
        }
        locked.reasons, locked.measures_required = reasons.strip(), measures_required.strip()
        locked.lock_version += 1
        locked.save(update_fields=["reasons", "measures_required", "lock_version", "updated_at"])
        _audit(actor, locked, "updated", changes, unit_id=locked.unit_id)
    return locked


def warning_acknowledge(*, actor: Any, warning: SchoolWarning) -> SchoolWarning:
    """The school signs for the notice (签收): its principal or officer, once."""
    _require_responder(actor, warning)
    with transaction.atomic():
        case_transition(actor=actor, case=warning, to_status=SchoolWarningStatus.ACKNOWLEDGED)
        warning.acknowledged_at, warning.acknowledged_by = timezone.now(), actor
        warning.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
        _audit(actor, warning, "acknowledged", {}, unit_id=warning.unit_id)
    return warning


def warning_report(*, actor: Any, warning: SchoolWarning, feedback: str) -> SchoolWarning:
    """The school reports the measures taken (反馈), after acknowledging; text required."""
    _require_responder(actor, warning)
    feedback = (feedback or "").strip()
    if not feedback:
        raise RiskError(_("Describe the measures taken."), code="feedback_required")
    with transaction.atomic():
        case_transition(actor=actor, case=warning, to_status=SchoolWarningStatus.REPORTED)
        warning.feedback, warning.feedback_at, warning.feedback_by = feedback, timezone.now(), actor
        warning.save(update_fields=["feedback", "feedback_at", "feedback_by", "updated_at"])
        _audit(actor, warning, "reported", {"feedback": feedback}, unit_id=warning.unit_id)
        notify(
            recipients=_bureau_people(frozenset(RISK_MANAGER_ROLES)),
            verb="risk.schoolwarning.reported",
            title=_("Measures reported: %(reference)s") % {"reference": warning.reference},
            # A notification previews the report; the full text is on the warning's page.
            body=feedback[:500],
            url=warning.get_absolute_url(),
            obj=warning,
        )
    return warning


def warning_close(*, actor: Any, warning: SchoolWarning, note: str = "") -> SchoolWarning:
    """The bureau accepts the school's report and closes its warning."""
    _require_manager(actor)
    with transaction.atomic():
        case_transition(actor=actor, case=warning, to_status=SchoolWarningStatus.CLOSED, note=note)
        _audit(actor, warning, "closed", {"note": note.strip()}, unit_id=warning.unit_id)
    return warning


def warning_reopen(*, actor: Any, warning: SchoolWarning, note: str) -> SchoolWarning:
    """The bureau asks for more (reason required): the school reports again within
    ``warning_more_feedback_days`` working days, escalated like the first feedback."""
    _require_manager(actor)
    with transaction.atomic():
        case_transition(
            actor=actor, case=warning, to_status=SchoolWarningStatus.ACKNOWLEDGED, note=note
        )
        bureau = bureau_unit()
        for purpose, target in (
            (FEEDBACK_PURPOSE, warning.unit),
            (FEEDBACK_BUREAU_PURPOSE, bureau),
        ):
            deadline_set(
                actor=actor,
                case=warning,
                purpose=purpose,
                days=rule("warning_more_feedback_days"),
                escalate_to=target,
                label=FEEDBACK_LABEL,
            )
        _audit(actor, warning, "reopened", {"note": note.strip()}, unit_id=warning.unit_id)
        notify(
            recipients=_responders_by_school([warning.unit_id]).get(warning.unit_id, []),
            verb="risk.schoolwarning.reopened",
            title=_("More is asked on %(reference)s") % {"reference": warning.reference},
            body=note.strip(),
            url=warning.get_absolute_url(),
            obj=warning,
        )
    return warning
