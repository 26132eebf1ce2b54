"""Lead statistics (线索统计): counts by category, school, month and status, and the time
to conclude, with small cells suppressed so that a count cannot point at a reporter.

Spam and merged leads are left out. The ECharts options of the statistics page's charts
(and of the home page's month line) are built here from the figures, so every page
draws the same numbers the same way. Every number comes from a handful of GROUP BY
queries over the leads ``visible_to(user)``; the result is cached per scope for
``STATS_CACHE_SECONDS``, so a figure may lag a new lead by that much.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Func, IntegerField, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from safecampus.core.charts import donut
from safecampus.core.i18n import localized
from safecampus.core.localtime import CHINA_TZ, local_day
from safecampus.core.rules import rule
from safecampus.leads.choices import LeadStatus
from safecampus.leads.models import Lead, LeadCategory
from safecampus.leads.permissions import READERS
from safecampus.organizations.cache import scoped_key
from safecampus.organizations.models import Unit

#: Who may read these figures (the statistics page's guard); other apps' pages ask it too.
STATISTICS_READERS = READERS
#: The school chart shows this many schools; the API lists every school.
TOP_SCHOOLS = 20
STATS_CACHE_SECONDS = 60
#: How long the previous figures may be served while one request computes new ones.
STATS_STALE_SECONDS = 600
MONTHS = 12
CONCLUDED_STATUSES = (LeadStatus.CONCLUDED, LeadStatus.CLOSED)
#: Time-to-conclusion buckets in whole calendar days: (key, first day, last day or None).
DAY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-15", 8, 15),
    ("16-30", 16, 30),
    ("31+", 31, None),
)

Cell = dict[str, Any]


class WholeDays(Func):
    """Whole calendar days from the first datetime to the second, computed by the database
    (SQLite's ``julianday`` and PostgreSQL's interval arithmetic are native, unlike the
    Python functions Django registers on SQLite for date truncation)."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        (start, start_params), (end, end_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        sql = f"CAST(EXTRACT(DAY FROM ({end} - {start})) AS integer)"
        return sql, (*end_params, *start_params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (start, start_params), (end, end_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        sql = f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"
        return sql, (*end_params, *start_params)


def lead_statistics(
    *, user: Any, date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """The lead figures of ``user``'s scope for leads received between the two local days
    (inclusive, either open). Any count of 1 to ``stats_min_cell``-1 is suppressed
    (``count`` None, ``suppressed`` True), with complementary cells so that a
    suppressed count cannot be worked out from the total and the other cells."""
    key = statistics_cache_key(user, date_from, date_to)
    if key is None:
        return _statistics(user, date_from, date_to)
    return _cached(key, lambda: _statistics(user, date_from, date_to))


def statistics_cache_key(user: Any, date_from: date | None, date_to: date | None) -> str | None:
    """One key per scope (schools and agencies), period and language; None without a scope."""
    scope = getattr(user, "scope", None)
    if scope is None:
        return None
    agencies = ",".join(str(pk) for pk in sorted(scope.agency_unit_ids))
    period = (str(date_from), str(date_to))
    return scoped_key("leads:statistics", scope, agencies, *period, get_language() or "")


def _cached(key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Fresh for ``STATS_CACHE_SECONDS``; after that one caller recomputes while the others
    keep the previous figures, so that a second-long recomputation on a large district
    holds up one request instead of every request that arrives meanwhile."""
    entry = cache.get(key)
    now = time.time()
    if entry is not None and now - entry["at"] < STATS_CACHE_SECONDS:
        return entry["data"]
    lock = f"{key}:lock"
    locked = cache.add(lock, 1, 60)
    if entry is not None and not locked:
        return entry["data"]
    try:
        data = compute()
        cache.set(key, {"at": now, "data": data}, STATS_STALE_SECONDS)
    finally:
        if locked:
            cache.delete(lock)
    return data


def _statistics(user: Any, date_from: date | None, date_to: date | None) -> dict[str, Any]:
    k = rule("stats_min_cell")
    leads = _counted(user, date_from, date_to)
    by_category, by_status, total = _by_category_and_status(leads)
    months = _by_month(leads, date_to or local_day(timezone.now()))
    days = _conclusion_days(leads)
    concluded = sum(days.values())
    return {
        "period": {
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
        },
        "min_cell": k,
        "day_unit": "calendar_days",
        "total": _single(total, k),
        "overdue": _single(leads.overdue().count(), k),  # type: ignore[attr-defined]
        "by_category": suppress(by_category, k),
        "by_school": sorted(suppress(_by_school(leads), k), key=_largest_first),
        "by_month": suppress(months, k),
        "by_status": suppress(by_status, k),
        "conclusion": {
            "concluded": _single(concluded, k),
            "median_days": _percentile(days, 50) if concluded >= k else None,
            "p90_days": _percentile(days, 90) if concluded >= k else None,
            "histogram": suppress(_histogram(days), k),
        },
    }


def _counted(user: Any, date_from: date | None, date_to: date | None) -> QuerySet[Lead]:
    leads = Lead.objects.visible_to(user).filter(is_spam=False).exclude(status=LeadStatus.MERGED)
    if date_from is not None:
        leads = leads.filter(created_at__gte=_local_midnight(date_from))
    if date_to is not None:
        leads = leads.filter(created_at__lt=_local_midnight(date_to + timedelta(days=1)))
    return leads.order_by()


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ)


def _cell(key: str, label: str, count: int) -> Cell:
    return {"key": key, "label": label, "count": count, "suppressed": False}


def _single(count: int, k: int) -> Cell:
    hidden = 0 < count < k
    return {"count": None if hidden else count, "suppressed": hidden}


def _by_category_and_status(leads: QuerySet[Lead]) -> tuple[list[Cell], list[Cell], int]:
    """One scan grouped by (category, status): sub-types roll up into their top category."""
    rows = leads.values_list("category_id", "status").annotate(n=Count("id"))
    categories = list(LeadCategory.objects.values_list("id", "parent_id", "code", "name"))
    top = {pk: parent or pk for pk, parent, _code, _name in categories}
    per_category: dict[int, int] = {}
    per_status: dict[str, int] = {}
    for category_id, status, n in rows:
        per_category[top[category_id]] = per_category.get(top[category_id], 0) + n
        per_status[status] = per_status.get(status, 0) + n
    tops = LeadCategory.objects.filter(parent__isnull=True).order_by("ordering", "code")
    by_category = [
        _cell(c.code, localized(c), per_category.get(c.pk, 0))
        for c in tops
        if c.is_active or per_category.get(c.pk)
    ]
    by_status = [
        _cell(s.value, str(s.label), per_status.get(s.value, 0))
        for s in LeadStatus
        if s != LeadStatus.MERGED
    ]
    return by_category, by_status, sum(per_status.values())


def _by_school(leads: QuerySet[Lead]) -> list[Cell]:
    counts: dict[int | None, int] = dict(
        leads.values_list("school_id").annotate(n=Count("id")).values_list("school_id", "n")
    )
    names = {
        pk: (code, name)
        for pk, code, name in Unit.objects.filter(pk__in=[pk for pk in counts if pk]).values_list(
            "id", "code", "name"
        )
    }
    cells = [_cell(*names[pk], n) for pk, n in counts.items() if pk]
    if counts.get(None):
        cells.append(_cell("", _("No school named"), counts[None]))
    return cells


def _largest_first(cell: Cell) -> tuple[bool, int, str]:
    # Hidden cells go last in key order: ranking them would hint at their size.
    return (cell["suppressed"], -(cell["count"] or 0), cell["key"])


def _by_month(leads: QuerySet[Lead], last_day: date) -> list[Cell]:
    """Counts of the twelve Asia/Shanghai months up to ``last_day``'s, as filtered counts in
    one scan: the bounds are computed here, so the database compares plain timestamps."""
    firsts = [date(last_day.year, last_day.month, 1)]
    while len(firsts) < MONTHS:
        previous = firsts[-1] - timedelta(days=1)
        firsts.append(previous.replace(day=1))
    firsts.reverse()
    window = leads.filter(
        created_at__gte=_local_midnight(firsts[0]),
        created_at__lt=_local_midnight(_next_month(firsts[-1])),
    )
    counts = window.aggregate(
        **{
            f"m{i}": Count(
                "id",
                filter=Q(
                    created_at__gte=_local_midnight(first),
                    created_at__lt=_local_midnight(_next_month(first)),
                ),
            )
            for i, first in enumerate(firsts)
        }
    )
    return [
        _cell(f"{first:%Y-%m}", f"{first:%Y-%m}", counts[f"m{i}"]) for i, first in enumerate(firsts)
    ]


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _conclusion_days(leads: QuerySet[Lead]) -> dict[int, int]:
    """Concluded leads by whole calendar days from receipt to their (last) conclusion."""
    rows = (
        leads.filter(status__in=CONCLUDED_STATUSES, concluded_at__isnull=False)
        .annotate(days=WholeDays("created_at", "concluded_at"))
        .values_list("days")
        .annotate(n=Count("id"))
        .values_list("days", "n")
    )
    return {max(days, 0): n for days, n in rows if days is not None}


def _percentile(days: dict[int, int], percent: int) -> int:
    """Nearest-rank percentile of the day counts (the smallest value with ``percent`` % of
    the leads at or below it)."""
    rank = max(1, -(-sum(days.values()) * percent // 100))
    seen = 0
    for value in sorted(days):
        seen += days[value]
        if seen >= rank:
            return value
    raise ValueError("no values")


def _histogram(days: dict[int, int]) -> list[Cell]:
    labels = {
        "0-7": _("≤ 7 days"),
        "8-15": _("8–15 days"),
        "16-30": _("16–30 days"),
        "31+": _("> 30 days"),
    }
    return [
        _cell(
            key,
            labels[key],
            sum(n for d, n in days.items() if d >= first and (last is None or d <= last)),
        )
        for key, first, last in DAY_BUCKETS
    ]


def suppress(cells: Iterable[Cell], k: int) -> list[Cell]:
    """Hide every count of 1..k-1, then more cells until the hidden ones cannot be told apart.

    Cell suppression as official statistics practise it: a hidden cell next to a known
    total is recovered by subtraction unless a second cell is hidden with it, and two
    hidden cells that sum to 2 can only be 1 and 1. So the smallest visible non-zero cells
    are hidden too until at least two are hidden and their sum exceeds their number.
    Zeros stay visible: an empty cell names nobody.
    """
    cells = list(cells)
    hidden = [c for c in cells if 0 < c["count"] < k]
    spare = sorted((c for c in cells if c["count"] >= k), key=lambda c: (c["count"], str(c["key"])))
    while hidden and spare and (len(hidden) < 2 or sum(c["count"] for c in hidden) <= len(hidden)):
        hidden.append(spare.pop(0))
    for cell in hidden:
        cell["count"], cell["suppressed"] = None, True
    return cells


# --- the charts (ECharts options) of the figures ---------------------------------------


def _values(cells: list[dict[str, Any]]) -> list[int | None]:
    return [cell["count"] for cell in cells]


def _bar(cells: list[dict[str, Any]], *, horizontal: bool = False) -> dict[str, Any]:
    labels = {"type": "category", "data": [cell["label"] for cell in cells]}
    values = {"type": "value", "minInterval": 1}
    axes = (
        {"xAxis": values, "yAxis": {**labels, "inverse": True}}
        if horizontal
        else {
            "xAxis": {**labels, "axisLabel": {"interval": 0, "rotate": 30}},
            "yAxis": values,
        }
    )
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 16, "bottom": 8},
        **axes,
        "series": [{"type": "bar", "data": _values(cells)}],
    }


def month_chart(stats: dict[str, Any]) -> dict[str, Any]:
    """Leads by month as a line: a month with no lead is 0; a suppressed month is a gap with
    a dashed mark labelled "<k", so the gap reads as hidden, not as missing data."""
    months = stats["by_month"]
    hidden = [cell["label"] for cell in months if cell["suppressed"]]
    series: dict[str, Any] = {"type": "line", "data": _values(months), "connectNulls": False}
    if hidden:
        series["markLine"] = {
            "silent": True,
            "symbol": "none",
            "lineStyle": {"type": "dashed", "color": "#6b7f95"},
            "label": {"formatter": f"<{stats['min_cell']}", "position": "end"},
            "data": [{"xAxis": label} for label in hidden],
        }
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 24, "bottom": 8},
        "xAxis": {"type": "category", "data": [cell["label"] for cell in months]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [series],
    }


def hidden_months_note(stats: dict[str, Any]) -> str:
    """The sentence under the monthly chart when a month's count is hidden, so that its gap
    is explained ("" when every month shows)."""
    if not any(cell["suppressed"] for cell in stats["by_month"]):
        return ""
    return _(
        "Dashed lines mark months with fewer than %(k)d leads: their counts are hidden to "
        "protect reporters (with another month where needed, so they cannot be worked out)."
    ) % {"k": stats["min_cell"]}


def statistics_charts(stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """ECharts options for each chart of the page, keyed by the id of its JSON block."""
    visible_status = [cell for cell in stats["by_status"] if cell["count"]]
    return {
        "chart-category": _bar(stats["by_category"]),
        "chart-month": month_chart(stats),
        "chart-school": _bar(stats["by_school"][:TOP_SCHOOLS], horizontal=True),
        "chart-status": donut([{"name": c["label"], "value": c["count"]} for c in visible_status]),
        "chart-days": _bar(stats["conclusion"]["histogram"]),
    }
