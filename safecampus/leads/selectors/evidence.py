"""Per-school lead evidence for other apps (risk grading reads it): one query."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count
from django.db.models.functions import Coalesce

from safecampus.leads.models import Lead


def lead_counts(*, start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """``{school: {top-level category code: n}}`` of leads received in [start, end) about a
    school; spam and leads merged into another are left out."""
    rows = (
        Lead.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            school__isnull=False,
            is_spam=False,
            merged_into__isnull=True,
        )
        .annotate(top=Coalesce("category__parent__code", "category__code"))
        .values("school_id", "top")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["school_id"], {})[row["top"]] = row["n"]
    return counts
