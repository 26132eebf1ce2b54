"""Possible duplicates (疑似重复线索) of a lead, for the bureau safety section's triage.

The scoring is ``similarity.py``'s; this module picks a small candidate pool from
the database and says in words why each candidate was proposed. The pool is
bounded however many leads a school has: only leads reported (or said to have
happened) within ``WINDOW`` of this one, at the same school or with no school
named, the nearest in time first, at most ``MAX_POOL`` of them.

The persons' names take no part in the scoring and are never loaded here (so never
decrypted): the proposals compare description, school, place and time only.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from safecampus.attachments.selectors import attachment_list
from safecampus.leads.choices import MERGEABLE, NOT_A_TARGET, TRIAGE_ROLES, LeadStatus
from safecampus.leads.models import Lead
from safecampus.leads.persons import PERSON_FIELDS
from safecampus.leads.similarity import (
    LeadSketch,
    normalise,
    propose_duplicates,
    text_similarity,
)

#: Reports of one incident arrive within days; a month either side leaves room for late ones.
WINDOW = timedelta(days=30)
#: The most candidates scored for one lead, so that a busy school costs the same as a quiet one.
MAX_POOL = 300
#: Place texts at least this similar are named as "a similar place" in the reasons.
PLACE_REASON = 0.5

Candidate = tuple[Lead, float, list[str]]
FIELDS = ("id", "reference", "description", "school_id", "place", "occurred_at", "created_at")


def _sketch(lead: Lead) -> LeadSketch:
    return LeadSketch(
        id=lead.pk,
        text=lead.description,
        school_id=lead.school_id,
        place=lead.place,
        occurred_at=lead.occurred_at,
    )


def _pool(user: Any, lead: Lead) -> list[Lead]:
    """At most ``MAX_POOL`` visible, live leads near ``lead`` in time, the nearest first."""
    near = Q(created_at__range=(lead.created_at - WINDOW, lead.created_at + WINDOW))
    if lead.occurred_at is not None:
        near |= Q(occurred_at__range=(lead.occurred_at - WINDOW, lead.occurred_at + WINDOW))
    leads = (
        Lead.objects.visible_to(user)
        .filter(near, is_spam=False)
        .exclude(status=LeadStatus.MERGED)
        .exclude(pk=lead.pk)
    )
    if lead.school_id is not None:
        # Another school scores nothing for school and place (similarity._context), so
        # it could only be proposed on text alone, which the weights do not allow.
        leads = leads.filter(Q(school_id=lead.school_id) | Q(school__isnull=True))
    leads = leads.only(*FIELDS)
    # Two index-ordered slices, one each side of the lead, instead of sorting the
    # window by distance in SQL (which neither database can do from an index).
    earlier = list(
        leads.filter(created_at__lte=lead.created_at).order_by("-created_at", "-id")[:MAX_POOL]
    )
    later = list(
        leads.filter(created_at__gt=lead.created_at).order_by("created_at", "id")[:MAX_POOL]
    )
    both = earlier + later
    both.sort(key=lambda other: (abs(other.created_at - lead.created_at), other.pk))
    return both[:MAX_POOL]


def _days_apart(a: datetime, b: datetime) -> int:
    return math.ceil(abs((a - b).total_seconds()) / 86400)


def _reasons(lead: Lead, other: Lead) -> list[str]:
    """Why ``other`` was proposed, in the user's language."""
    reasons = []
    if lead.school_id is not None and lead.school_id == other.school_id:
        reasons.append(_("Same school"))
    if normalise(lead.place) and normalise(other.place):
        if normalise(lead.place) == normalise(other.place):
            reasons.append(_("Same place"))
        elif text_similarity(lead.place, other.place) >= PLACE_REASON:
            reasons.append(_("Similar place"))
    if lead.occurred_at is not None and other.occurred_at is not None:
        days = _days_apart(lead.occurred_at, other.occurred_at)
        reasons.append(
            ngettext(
                "Happened within %(days)d day of each other",
                "Happened within %(days)d days of each other",
                days,
            )
            % {"days": days}
            if days
            else _("Happened at the same time")
        )
    else:
        days = _days_apart(lead.created_at, other.created_at)
        reasons.append(
            ngettext(
                "Reported within %(days)d day of each other",
                "Reported within %(days)d days of each other",
                max(days, 1),
            )
            % {"days": max(days, 1)}
        )
    percent = round(100 * text_similarity(lead.description, other.description))
    reasons.append(_("Text %(percent)d%% similar") % {"percent": percent})
    return reasons


def duplicate_candidates(*, user: Any, lead: Lead, limit: int = 5) -> list[Candidate]:
    """The leads ``user`` may see that likely report the same incident as ``lead``, best
    first, each with its score in [0, 1] and the reasons in words.

    Only the bureau's triage roles are proposed anything; spam and merged leads never are.
    """
    if not getattr(user, "is_authenticated", False) or not user.scope.has_role(*TRIAGE_ROLES):
        return []
    pool = {other.pk: other for other in _pool(user, lead)}
    proposed = propose_duplicates(
        _sketch(lead), (_sketch(other) for other in pool.values()), limit=limit
    )
    if not proposed:
        return []
    shown = (
        Lead.objects.select_related("school")
        .defer(*PERSON_FIELDS)
        .in_bulk([pk for pk, _score in proposed])
    )
    return [(shown[pk], score, _reasons(lead, shown[pk])) for pk, score in proposed]


def merged_leads(*, user: Any, lead: Lead) -> list[Lead]:
    """The leads merged into ``lead``, directly or through a lead merged in turn, that
    ``user`` may see, oldest first."""
    found: list[Lead] = []
    frontier = [lead.pk]
    seen = {lead.pk}
    visible = Lead.objects.visible_to(user).select_related("school").defer(*PERSON_FIELDS)
    while frontier and len(found) < MAX_POOL:
        step = list(visible.filter(merged_into__in=frontier).exclude(pk__in=seen))
        seen.update(other.pk for other in step)
        frontier = [other.pk for other in step]
        found.extend(step)
    found.sort(key=lambda other: (other.created_at, other.pk))
    return found


def merge_panel(*, user: Any, lead: Lead) -> dict[str, Any]:
    """What the lead page shows about duplicates: the proposals and whether this lead may
    be merged (triage roles only), the leads merged into it with their files, and the lead
    it was merged into — each only as far as ``user`` may see it."""
    is_triage = bool(getattr(user, "is_authenticated", False)) and user.scope.has_role(
        *TRIAGE_ROLES
    )
    candidates = [
        {
            "lead": other,
            "score": round(score, 2),
            "percent": round(100 * score),
            "reasons": reasons,
            "can_target": other.status not in NOT_A_TARGET and not other.is_spam,
        }
        for other, score, reasons in duplicate_candidates(user=user, lead=lead)
    ]
    merged_into = None
    if lead.merged_into_id is not None:
        merged_into = Lead.objects.visible_to(user).filter(pk=lead.merged_into_id).first()
    return {
        "is_triage": is_triage,
        "can_merge": is_triage and lead.status in MERGEABLE,
        "candidates": candidates,
        "merged": [
            {"lead": other, "attachments": list(attachment_list(user=user, owner=other))}
            for other in merged_leads(user=user, lead=lead)
        ],
        "merged_into": merged_into,
    }
