"""Keyset ("cursor") pagination for long tables, and a count that stays cheap on them.

A page after the first is found by the sort key of the row it starts from, not by an
OFFSET the database must walk: the cost of page 4,000 is the cost of page 1. The order is
a timestamp descending with the primary key as the tie-break (``-created_at, -id``), which
every ledger-like table here uses; the cursor is that pair, ``<microseconds>.<pk>``.

The total shown above such a table is exact up to ``EXACT_COUNT_LIMIT`` rows (counting
stops there); beyond, PostgreSQL's planner estimate is used, as exactness would mean
counting every row on every page view; SQLite counts through an index in a few ms per
100,000 rows and has no planner estimate, so it stays exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet

#: Counted exactly up to here; above, an estimate may be shown ("about 120,000").
EXACT_COUNT_LIMIT = 10_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    at: datetime
    pk: int

    def encode(self) -> str:
        delta = self.at - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}.{self.pk}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        """The cursor written by ``encode``; anything else (tampered, truncated) is None."""
        micros, _dot, pk = (raw or "").partition(".")
        if not (micros.lstrip("-").isdigit() and pk.isdigit()) or len(raw or "") > 40:
            return None
        try:
            return cls(_EPOCH + timedelta(microseconds=int(micros)), int(pk))
        except OverflowError:
            return None


@dataclass
class KeysetPage:
    """One page of rows; iterating yields them. ``next_cursor``/``previous_cursor`` are ""
    when there is no such page."""

    object_list: list[Any]
    next_cursor: str = ""
    previous_cursor: str = ""
    is_first: bool = True

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_cursor)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def keyset_page(
    queryset: QuerySet[Any],
    *,
    size: int,
    after: str | None = None,
    before: str | None = None,
    time_field: str = "created_at",
) -> KeysetPage:
    """The page of ``queryset`` (any filters, ordered here by ``-time_field, -pk``) that starts
    right after the row ``after`` (older rows), or ends right before the row ``before``
    (newer rows); the first page without either, or with a cursor that does not parse."""
    newest_first = queryset.order_by(f"-{time_field}", "-pk")
    start, end = Cursor.decode(after), Cursor.decode(before)
    if end is not None:
        newer = Q(**{f"{time_field}__gt": end.at}) | Q(**{time_field: end.at, "pk__gt": end.pk})
        rows = list(
            queryset.filter(Q(**{f"{time_field}__gte": end.at}) & newer).order_by(time_field, "pk")[
                : size + 1
            ]
        )
        if len(rows) > size:
            rows = rows[:size]
            rows.reverse()
            return _page(rows, time_field, more_after=True, more_before=True)
        # Back at the top (or the newest rows moved): show the first page itself, full.
    elif start is not None:
        older = Q(**{f"{time_field}__lt": start.at}) | Q(
            **{time_field: start.at, "pk__lt": start.pk}
        )
        rows = list(newest_first.filter(Q(**{f"{time_field}__lte": start.at}) & older)[: size + 1])
        return _page(rows[:size], time_field, more_after=len(rows) > size, more_before=True)
    rows = list(newest_first[: size + 1])
    return _page(rows[:size], time_field, more_after=len(rows) > size, more_before=False)


def _page(rows: list[Any], time_field: str, *, more_after: bool, more_before: bool) -> KeysetPage:
    def cursor(row: Any) -> str:
        return Cursor(getattr(row, time_field), row.pk).encode()

    return KeysetPage(
        object_list=rows,
        next_cursor=cursor(rows[-1]) if rows and more_after else "",
        previous_cursor=cursor(rows[0]) if rows and more_before else "",
        is_first=not more_before,
    )


@dataclass(frozen=True)
class Total:
    """How many rows a filtered table has: ``value`` exact, or an estimate above the limit."""

    value: int
    is_estimate: bool = False

    @property
    def grouped(self) -> str:
        """The value with comma-grouped thousands ("120,000") in every language: Chinese
        locale formats group nothing, and an estimate of six digits reads badly ungrouped."""
        return f"{self.value:,}"


def total_count(queryset: QuerySet[Any], *, exact_up_to: int = EXACT_COUNT_LIMIT) -> Total:
    """Count ``queryset`` exactly while that is cheap: up to ``exact_up_to`` rows (the count
    stops there), or always on SQLite; above the limit on PostgreSQL, the planner's
    estimate, rounded to two significant figures."""
    unordered = queryset.order_by()
    if connections[queryset.db].vendor != "postgresql":
        return Total(unordered.count())
    capped = unordered[: exact_up_to + 1].count()
    if capped <= exact_up_to:
        return Total(capped)
    estimate = max(_planner_rows(unordered), exact_up_to + 1)
    return Total(_two_figures(estimate), is_estimate=True)


def _planner_rows(queryset: QuerySet[Any]) -> int:
    sql, params = queryset.values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _two_figures(n: int) -> int:
    scale = 10 ** max(len(str(n)) - 2, 0)
    return round(n / scale) * scale
