"""Scoped reads of leads: every one goes through ``Lead.objects.visible_to(user)``; the
portal's one unscoped read (``public_lead_for``) follows a reporter's own lead."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from safecampus.cases.models import Deadline
from safecampus.core.localtime import CHINA_TZ
from safecampus.core.pagination import Total, total_count
from safecampus.leads.choices import DualReportChannel, LeadStatus
from safecampus.leads.models import DualReport, Lead, LeadCategory
from safecampus.organizations.models import Unit

#: Chains are short (a survivor merged in turn); the bound only guards against bad data.
MAX_HOPS = 20
#: Above this many leads in a category with sub-types, the ledger walks its order instead of
#: sorting the matches: a page then reads ~51 × 200,000 / 2,000 index rows at worst.
DENSE_CATEGORY_MATCHES = 2_000


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ)


def lead_list(
    *,
    user: Any,
    category: LeadCategory | None = None,
    status: str = "",
    school: Any = None,
    source: str = "",
    overdue: bool = False,
    missing_second_report: bool = False,
    received_from: date | None = None,
    received_to: date | None = None,
    category_by_scan: bool = False,
) -> QuerySet[Lead]:
    """The leads ``user`` may see, newest first, filtered; a category includes its sub-types,
    the period counts whole days in Asia/Shanghai. ``category_by_scan`` writes a category
    with sub-types so that no index serves it (same rows; see ``lead_ledger``)."""
    leads = Lead.objects.visible_to(user).select_related("category", "school", "assignee_unit")
    if category is not None:
        ids = [category.pk, *category.children.values_list("pk", flat=True)]
        if category_by_scan and len(ids) > 1:
            leads = leads.alias(category_plain=F("category_id") + 0).filter(category_plain__in=ids)
        else:
            leads = leads.filter(category__in=ids)
    if status:
        leads = leads.filter(status=status)
    if school is not None:
        leads = leads.filter(school=school)
    if source:
        leads = leads.filter(source=source)
    if received_from is not None:
        leads = leads.filter(created_at__gte=_day_start(received_from))
    if received_to is not None:
        leads = leads.filter(created_at__lt=_day_start(received_to + timedelta(days=1)))
    if overdue:
        leads = leads.overdue()  # type: ignore[attr-defined]
    if missing_second_report:
        leads = leads.missing_second_report()  # type: ignore[attr-defined]
    return leads.order_by("-created_at", "-id")


#: A lead in one of these needs nothing more from the person who reported it.
FINISHED_STATUSES = (
    LeadStatus.CONCLUDED,
    LeadStatus.CLOSED,
    LeadStatus.REJECTED,
    LeadStatus.MERGED,
)


def lead_mine_list(*, user: Any, limit: int = 20) -> list[Lead]:
    """The open leads ``user`` reported or was personally assigned, newest first, each with
    its open deadlines (``open_deadlines``, the soonest first): a teacher's home page."""
    deadlines = Prefetch(
        "deadlines", queryset=Deadline.objects.open().order_by("due_at"), to_attr="open_deadlines"
    )
    reported = DualReport.objects.filter(
        reported_by=user, channel=DualReportChannel.SAFETY_SECTION
    ).values("lead_id")
    return list(
        Lead.objects.visible_to(user)
        .filter(Q(pk__in=reported) | Q(assignee=user))
        .exclude(status__in=FINISHED_STATUSES)
        .prefetch_related(deadlines)
        .order_by("-created_at", "-id")[:limit]
    )


def lead_ledger(
    *, user: Any, columns: Sequence[str], **filters: Any
) -> tuple[QuerySet[Lead], Total]:
    """The ledger's leads for ``filters`` (``lead_list``'s), reading only ``columns``, and
    their total (exact up to 10,000, see ``core.pagination.total_count``).

    A category with sub-types is an IN list no index returns in the ledger's order, so
    SQLite sorts every match (~100-200 ms for a sixth of 200,000 leads). When it matches many
    leads, one page is found sooner by walking the received-time index and skipping the
    other categories, so the filter is then written for that (PostgreSQL's planner makes
    the same choice by itself). Few matches are sorted, which costs little."""

    def rows(**extra: Any) -> QuerySet[Lead]:
        leads = lead_list(user=user, **filters, **extra)
        return leads.select_related(None).select_related("category", "school").only(*columns)

    leads = rows()
    total = total_count(leads)
    if filters.get("category") is not None and total.value > DENSE_CATEGORY_MATCHES:
        leads = rows(category_by_scan=True)
    return leads, total


def lead_get(*, user: Any, lead_id: int) -> Lead | None:
    return lead_list(user=user).filter(pk=lead_id).first()


def lead_get_by_reference(*, user: Any, reference: str) -> Lead | None:
    return lead_list(user=user).filter(reference=reference).first()


def dual_report_list(*, user: Any, lead: Lead) -> QuerySet[DualReport]:
    if not Lead.objects.visible_to(user).filter(pk=lead.pk).exists():
        return DualReport.objects.none()
    return lead.dual_reports.select_related("reported_by")


def category_list() -> QuerySet[LeadCategory]:
    """Categories in use, top-level first in the plan's order; no secret, any staff may read."""
    return LeadCategory.objects.filter(is_active=True).select_related("parent")


def public_lead_for(lead: Lead) -> Lead:
    """The lead whose progress the reporter of ``lead`` sees: the lead it was merged into
    (following a survivor merged in turn), or ``lead`` itself."""
    shown = lead
    for _hop in range(MAX_HOPS):
        if shown.status != LeadStatus.MERGED or shown.merged_into_id is None:
            return shown
        shown = Lead.objects.get(pk=shown.merged_into_id)
    return shown


def import_schools(actor: Any) -> list[Unit]:
    """The schools an import by ``actor`` may name: active ones in the actor's scope."""
    return list(Unit.objects.visible_to(actor).schools().filter(is_active=True).order_by("code"))
